/**
 * The HTTP load generator of `bench:join`, run in a worker thread (see join.ts): its own event loop
 * and heap, so that building requests and parsing responses never queue behind the server's work
 * on the main thread. node:http with one keep-alive Agent (a socket per concurrent client, reused
 * for every request) is much cheaper per request than fetch (undici + web streams). Plain
 * JavaScript: a worker does not inherit tsx's loader, and the client should not pay for one.
 *
 * workerData: { base, campaignId, tokens: string[], concurrency }; posts back
 * { results: ('201' | '<status> <error code>')[] in request order, latencies: ms[], seconds, cpuMs (this thread's CPU time) }.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const job = workerData;
const url = new URL(job.base);
const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
const path = `/campaigns/${job.campaignId}/entries`;
const body = JSON.stringify({ items: [{ itemId: 'i1', qty: 1 }] });
const bodyLength = String(Buffer.byteLength(body));

/** @param {number} i @returns {Promise<string>} */
function join(i) {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path,
        headers: {
          authorization: `Bearer ${job.tokens[i]}`,
          'content-type': 'application/json',
          'content-length': bodyLength,
          'idempotency-key': `bench-${i}`,
        },
      },
      (res) => {
        /** @type {Buffer[]} */
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode === 201) return resolve('201');
          try {
            const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            resolve(`${res.statusCode} ${parsed.error?.code}`);
          } catch {
            resolve(`${res.statusCode} ?`);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** This thread's CPU time in ms (Linux /proc; NaN elsewhere): what the load generator costs. */
function threadCpuMs() {
  try {
    const fields = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 10 ms ticks
  } catch {
    return NaN;
  }
}

async function run() {
  const cpuBefore = threadCpuMs();
  const count = job.tokens.length;
  const results = new Array(count);
  const latencies = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      for (let i = next++; i < count; i = next++) {
        const t = performance.now();
        results[i] = await join(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { results, latencies, seconds, cpuMs: threadCpuMs() - cpuBefore };
}

run().then(
  (result) => parentPort.postMessage(result),
  (err) => {
    throw err;
  },
);
