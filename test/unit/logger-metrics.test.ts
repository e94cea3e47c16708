import { describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/logger.js';
import { emfMetrics } from '../../shared/metrics.js';

describe('createLogger', () => {
  it('writes level, timestamp and message (the keys Lambda’s log filtering reads), the context, then the fields', () => {
    const lines: string[] = [];
    const log = createLogger('info', (l) => lines.push(l));
    log.debug('hidden');
    log.info('first', { campaignId: 'c1' });
    log.setContext({ function_request_id: 'r1', cold_start: true });
    log.warn('second', { err: new Error('boom') });
    log.setContext({ function_request_id: 'r2', cold_start: false });
    log.error('third');
    const parsed = lines.map((l) => JSON.parse(l));
    expect(parsed.map((p) => [p.level, p.message])).toEqual([
      ['INFO', 'first'],
      ['WARN', 'second'],
      ['ERROR', 'third'],
    ]);
    expect(parsed[0]).not.toHaveProperty('function_request_id');
    expect(parsed[1]).toMatchObject({ function_request_id: 'r1', cold_start: true, err: { name: 'Error', message: 'boom' } });
    expect(parsed[2]).toMatchObject({ function_request_id: 'r2', cold_start: false });
    for (const p of parsed) expect(p.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});

describe('emfMetrics', () => {
  it('sums counts and writes one embedded-metric-format line per flush, nothing when nothing was counted', () => {
    const lines: string[] = [];
    const m = emfMetrics({ namespace: 'Ns', service: 'worker', write: (l) => lines.push(l), now: () => 1_796_083_200_000 });
    m.flush();
    expect(lines).toEqual([]);
    m.count('MessagesSent', 3);
    m.count('MessagesSent');
    m.count('MessagesFailed', 0);
    m.count('Joins');
    m.flush();
    m.flush();
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      _aws: {
        Timestamp: 1_796_083_200_000,
        CloudWatchMetrics: [
          {
            Namespace: 'Ns',
            Dimensions: [['service']],
            Metrics: [
              { Name: 'MessagesSent', Unit: 'Count' },
              { Name: 'Joins', Unit: 'Count' },
            ],
          },
        ],
      },
      service: 'worker',
      MessagesSent: 4,
      Joins: 1,
    });
  });
});
