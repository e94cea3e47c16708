/**
 * The HTTP load generator of `bench:join`, run in a worker thread (see join.ts): its own event loop
 * and heap, so that building requests and parsing responses never queue behind the server's work
 * on the main thread. Each of the C clients holds one keep-alive HTTP/1.1 connection (a plain TCP
 * socket) and sends its joins on it one after another, each a request written in one piece; it
 * reads the status line and Content-Length of each response and, for errors, the JSON error code.
 * This is what load generators such as wrk do: far cheaper per request than fetch (undici) or even
 * node:http's client, so the clients take as little as possible of the CPU the server is measured
 * on. Plain JavaScript: a worker does not inherit tsx's loader, and the client should not pay for one.
 *
 * workerData: { base, campaignId, tokens: string[], keyPrefix (of the idempotency keys), concurrency }; posts back
 * { results: ('201' | '<status> <error code>')[] in request order, latencies: ms[], seconds, cpuMs
 * (this thread's CPU time) }.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

const job = workerData;
const url = new URL(job.base);
const path = `/campaigns/${job.campaignId}/entries`;
const body = JSON.stringify({ items: [{ itemId: 'i1', qty: 1 }] });
const requestText = (i) =>
  `POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${job.tokens[i]}\r\nContent-Type: application/json\r\n` +
  `Content-Length: ${Buffer.byteLength(body)}\r\nIdempotency-Key: ${job.keyPrefix}-${i}\r\n\r\n${body}`;

/** One keep-alive connection: `send` writes a request and resolves with the next response. */
function connection() {
  const socket = connect({ host: url.hostname, port: Number(url.port) });
  socket.setNoDelay(true);
  let buffered = Buffer.alloc(0);
  /** @type {{ resolve: (r: { status: number, body: Buffer }) => void, reject: (e: Error) => void } | null} */
  let pending = null;
  const fail = (err) => {
    const p = pending;
    pending = null;
    p?.reject(err);
  };
  socket.on('data', (chunk) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    if (!pending) return;
    const headEnd = buffered.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = buffered.toString('latin1', 0, headEnd);
    const length = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head);
    if (!length) return fail(new Error(`response without Content-Length: ${head.split('\r\n')[0]}`));
    const end = headEnd + 4 + Number(length[1]);
    if (buffered.length < end) return;
    const response = { status: Number(head.slice(9, 12)), body: buffered.subarray(headEnd + 4, end) };
    buffered = buffered.subarray(end);
    const p = pending;
    pending = null;
    p.resolve(response);
  });
  socket.on('error', fail);
  socket.on('close', () => fail(new Error('connection closed by the server')));
  return {
    send(text) {
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        socket.write(text);
      });
    },
    close() {
      socket.removeAllListeners('close');
      socket.destroy();
    },
  };
}

async function join(conn, i) {
  const res = await conn.send(requestText(i));
  if (res.status === 201) return '201';
  try {
    return `${res.status} ${JSON.parse(res.body.toString('utf8')).error?.code}`;
  } catch {
    return `${res.status} ?`;
  }
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
      const conn = connection();
      try {
        for (let i = next++; i < count; i = next++) {
          const t = performance.now();
          results[i] = await join(conn, i);
          latencies.push(performance.now() - t);
        }
      } finally {
        conn.close();
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { results, latencies, seconds, cpuMs: threadCpuMs() - cpuBefore };
}

run().then(
  (result) => parentPort.postMessage(result),
  (err) => {
    throw err;
  },
);
