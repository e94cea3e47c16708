/**
 * The HTTP load generator of `bench:read`, in a worker thread, as join-load.mjs is for joins (see
 * there why: hand-written keep-alive HTTP/1.1 as wrk does, its own event loop and heap, cheap per
 * request). C connections send `count` GETs of `path` one after another, each with `headers`;
 * a status other than `status` stops the run. Responses are framed by Content-Length (none on a 304).
 *
 * workerData: { base, path, headers: Record<string,string>, count, concurrency, status };
 * posts back { latencies: ms[], seconds, cpuMs (this thread's CPU time) }.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

const job = workerData;
const url = new URL(job.base);
const extra = Object.entries(job.headers)
  .map(([k, v]) => `${k}: ${v}\r\n`)
  .join('');
const requestText = `GET ${job.path} HTTP/1.1\r\nHost: ${url.host}\r\n${extra}\r\n`;

/** One keep-alive connection: `send` writes the request and resolves with the next response's status. */
function connection() {
  const socket = connect({ host: url.hostname, port: Number(url.port) });
  socket.setNoDelay(true);
  let buffered = Buffer.alloc(0);
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
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head);
    if (!length && status !== 304) return fail(new Error(`response without Content-Length: ${head.split('\r\n')[0]}`));
    const end = headEnd + 4 + (length ? Number(length[1]) : 0);
    if (buffered.length < end) return;
    buffered = buffered.subarray(end);
    const p = pending;
    pending = null;
    p.resolve(status);
  });
  socket.on('error', fail);
  socket.on('close', () => fail(new Error('connection closed by the server')));
  return {
    send() {
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        socket.write(requestText);
      });
    },
    close() {
      socket.removeAllListeners('close');
      socket.destroy();
    },
  };
}

function threadCpuMs() {
  try {
    const fields = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

async function run() {
  const cpuBefore = threadCpuMs();
  const latencies = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      const conn = connection();
      try {
        while (next++ < job.count) {
          const t = performance.now();
          const status = await conn.send();
          if (status !== job.status) throw new Error(`${job.path}: ${status}`);
          latencies.push(performance.now() - t);
        }
      } finally {
        conn.close();
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000, cpuMs: threadCpuMs() - cpuBefore };
}

run().then(
  (result) => parentPort.postMessage(result),
  (err) => {
    throw err;
  },
);
