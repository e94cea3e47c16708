import { readFileSync } from 'node:fs';

/**
 * The load loop and CPU accounting of the benches, as join.ts has them inline: C concurrent
 * workers take the next request number until N are done (a loop and a counter: nothing a
 * baseline would not pay), and CPU time per request from /proc, which moves far less with other
 * load on a shared 2-core machine than requests per second do.
 */
export interface PoolRun<T> {
  results: T[];
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
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
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    results,
    seconds,
    perSecond: count / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
  };
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

/** CPU ms per request while `work` runs: this process (all threads) and DynamoDB Local. */
export async function cpuPer<T>(requests: number, dbPid: number | undefined, work: () => Promise<T>) {
  const proc = process.cpuUsage();
  const db = procCpuMs(dbPid);
  const out = await work();
  const used = process.cpuUsage(proc);
  const per = (ms: number) => +(ms / requests).toFixed(3);
  return { out, cpu: { process: per((used.user + used.system) / 1000), dynamodbLocal: per(procCpuMs(dbPid) - db) } };
}
