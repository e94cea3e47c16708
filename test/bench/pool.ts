import { readFileSync } from 'node:fs';

/**
 * The load loop and CPU accounting every bench uses (join, read): C concurrent
 * workers take the next request number until N are done (a loop and a counter: nothing a
 * baseline would not pay), and CPU time per request from /proc, which moves far less with other
 * load on a shared 2-core machine than requests per second do.
 */
export interface Run {
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  /** CPU ms of a load generator thread, reported apart from the server's */
  loadCpuMs?: number;
}
export interface PoolRun<T> extends Run {
  results: T[];
}

export function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;
}

export async function runPool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<PoolRun<T>> {
  const latencies: number[] = [];
  const results: T[] = new Array(count);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) {
        const t = performance.now();
        results[i] = await task(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { results, ...summarize(latencies, (performance.now() - started) / 1000) };
}

/** Throughput and latency percentiles of a run of `latencies.length` requests (also for a worker's run). */
export function summarize(latencies: number[], seconds: number): Run {
  latencies.sort((a, b) => a - b);
  const p = (q: number) => percentile(latencies, q);
  return { seconds, perSecond: latencies.length / seconds, p50: p(50), p95: p(95), p99: p(99) };
}

/** CPU time (ms) of a process from Linux /proc (10 ms ticks; NaN elsewhere). */
export function procCpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/**
 * CPU ms per request while `work` runs: this process (all threads, less a load generator thread's
 * own, reported apart), and DynamoDB Local.
 */
export async function cpuPer<T extends Run>(requests: number, dbPid: number | undefined, work: () => Promise<T>) {
  const proc = process.cpuUsage();
  const db = procCpuMs(dbPid);
  const out = await work();
  const used = process.cpuUsage(proc);
  const load = out.loadCpuMs ?? 0;
  const per = (ms: number) => +(ms / requests).toFixed(3);
  return {
    out,
    cpu: { server: per((used.user + used.system) / 1000 - load), loadGenerator: per(load), dynamodbLocal: per(procCpuMs(dbPid) - db) },
  };
}
