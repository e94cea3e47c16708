/**
 * Business metrics as CloudWatch embedded metric format (EMF): one JSON log line per invocation
 * carrying the counts, which CloudWatch turns into metrics with no API call on the request path.
 * Counts are summed in memory and written by flush() (the Lambda handlers call it as each
 * invocation ends); where metrics are off (npm start, tests without a writer), noMetrics.
 */
export const METRIC_NAMES = [
  /** a new 接龙 entry (not an Idempotency-Key replay) */
  'Joins',
  /** a join or change refused because stock ran out */
  'SoldOut',
  /** a text or photo WeChat's content security refused */
  'ContentRejected',
  /** subscribe messages sent / given up on (failed, uncertain) by deadline work */
  'MessagesSent',
  'MessagesFailed',
  /** units of deadline work the sweep found due (settlements, holds, refunds, messages…): the backlog, each minute */
  'WorkDue',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export interface Metrics {
  count(name: MetricName, value?: number): void;
  /** Write what was counted since the last flush (nothing when nothing was) and start again. */
  flush(): void;
}

export const noMetrics: Metrics = { count: () => undefined, flush: () => undefined };

export function emfMetrics(opts: {
  namespace: string;
  /** the function: api, worker, sweep (the one dimension, so each has its own series) */
  service: string;
  write?: (line: string) => void;
  now?: () => number;
}): Metrics {
  const write = opts.write ?? ((l: string) => process.stdout.write(`${l}\n`));
  const now = opts.now ?? Date.now;
  let counts = new Map<MetricName, number>();
  return {
    count(name, value = 1) {
      if (value > 0) counts.set(name, (counts.get(name) ?? 0) + value);
    },
    flush() {
      if (counts.size === 0) return;
      const names = [...counts.keys()];
      write(
        JSON.stringify({
          _aws: {
            Timestamp: now(),
            CloudWatchMetrics: [
              { Namespace: opts.namespace, Dimensions: [['service']], Metrics: names.map((Name) => ({ Name, Unit: 'Count' })) },
            ],
          },
          service: opts.service,
          ...Object.fromEntries(counts),
        }),
      );
      counts = new Map();
    },
  };
}
