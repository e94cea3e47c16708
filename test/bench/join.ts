/**
 * npm run bench:join [-- --joins 2000 --concurrency 32 [--transport http|inprocess|lambda] [--profile DIR]]
 *
 * Starts DynamoDB Local (in memory; or uses DYNAMODB_ENDPOINT) and the API over real HTTP, fires
 * N joins at one campaign from C concurrent clients, then issues the raw DynamoDB writes one join
 * needs (claim put, counter update, entry put) directly with the SDK at the same concurrency.
 * Prints joins/s, latency percentiles, responses by code, oversold units, DynamoDB requests and
 * consumed write units per join, the API/raw ratio, and one JSON line with all of it.
 * Each side is first warmed, unmeasured, by min(N, 1000) joins of its own (raw: on a campaign of
 * their own; the API: through the same transport, on another campaign), so both are measured warm.
 *
 * What runs where (2 cores are shared by all of it, so the ratio is a CPU-per-join comparison):
 *   - DynamoDB Local: its own java process.
 *   - main thread: the API server (@hono/node-server + the real app + its DynamoDB client) during
 *     the API phase; the raw phase's SDK calls (the raw side's "server" work, driven by an
 *     in-thread pool whose own cost is a loop and a counter).
 *   - worker thread (join-load.mjs): the HTTP load generator of the API phase: C keep-alive
 *     HTTP/1.1 connections, requests written and responses parsed by hand (as wrk does), so the
 *     clients cost little CPU and neither share the server's event loop nor its heap. Its CPU time
 *     is reported apart ("load generator"); the raw phase's driver has no such share to report.
 * `--transport inprocess` instead calls app.request() on the main thread (no sockets, no worker):
 * isolates the cost of the HTTP layer. `--transport lambda` is the production shape: the API
 * handler bundled as deployed (infra/bundling.ts; entry test/bench/lambda-entry.ts, i.e.
 * functions/api/handler.ts over depsFromEnv) imported into this process and invoked with API
 * Gateway HTTP API v2 events (infra/bench/http-api-event.mjs) and a Lambda context, C at a time,
 * on the main thread (there is no HTTP server in production: API Gateway hands the event over). `--profile DIR` writes CPU profiles of the main thread
 * during the API phase and the first measured raw phase (api.cpuprofile, raw.cpuprofile).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import { join as joinPath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { serve } from '@hono/node-server';
import { createApp } from '../../functions/app.js';
import type { AppDeps } from '../../functions/env.js';
import { httpApiEvent, lambdaContext } from '../../infra/bench/http-api-event.mjs';
import { bundleLambda, REPO_ROOT } from '../../infra/bundling.js';
import { issueToken } from '../../shared/auth/tokens.js';
import type { CampaignDb } from '../../shared/campaigns/cache.js';
import { CampaignCache } from '../../shared/campaigns/cache.js';
import { systemClock } from '../../shared/clock.js';
import { claimMember, counterUpdate, putEntry } from '../../shared/entries/commands.js';
import { newJoinToken } from '../../shared/ids.js';
import { DEFAULT_RATE_LIMITS, LocalRateCounts } from '../../shared/limits/rate-limit.js';
import { freePort, startDynamoDbLocal } from '../../shared/local/dynamodb-local.js';
import { createLogger } from '../../shared/logger.js';
import { disabledMoney } from '../../shared/money/money.js';
import { createDocumentClient } from '../../shared/table/client.js';
import { ensureTable } from '../../shared/table/create-table.js';
import { entryIds } from '../../shared/table/keys.js';
import { cpuPer, runPool, summarize } from './pool.js';

const { values } = parseArgs({
  options: {
    joins: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '32' },
    stock: { type: 'string' },
    transport: { type: 'string', default: 'http' },
    profile: { type: 'string' },
  },
});
// `--transport inprocess` calls app.request() instead of HTTP: isolates the cost of the HTTP layer;
// `--transport lambda` invokes the bundled Lambda handler with API Gateway events, as production does.
const TRANSPORT = values.transport ?? 'http';
if (!['http', 'inprocess', 'lambda'].includes(TRANSPORT)) throw new Error(`--transport http|inprocess|lambda, not ${TRANSPORT}`);
const IN_PROCESS = TRANSPORT === 'inprocess';
const LAMBDA = TRANSPORT === 'lambda';
const N = Number(values.joins);
const C = Number(values.concurrency);
const STOCK = values.stock ? Number(values.stock) : Math.floor(N * 0.9); // some joins must meet SOLD_OUT

const PROFILE_DIR = values.profile;
/** Joins that warm each side (DynamoDB Local's JIT and the raw SDK; the API's code) before it is measured. */
const WARMUP = Math.min(N, 1000);

/** Profiles the main thread while `work` runs, into PROFILE_DIR/<name>.cpuprofile (no-op without --profile). */
async function profiled<T>(name: string, work: () => Promise<T>): Promise<T> {
  if (!PROFILE_DIR) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(PROFILE_DIR, { recursive: true });
    writeFileSync(joinPath(PROFILE_DIR, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

interface LoadJob {
  base: string;
  campaignId: string;
  tokens: string[];
  keyPrefix: string;
  concurrency: number;
}
interface LoadResult {
  results: string[];
  latencies: number[];
  seconds: number;
  cpuMs: number;
}

/** Runs the HTTP load generator in a worker thread and waits for its figures. */
function loadFromWorker(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./join-load.mjs', import.meta.url), { workerData: job });
    worker.once('message', (result: LoadResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`load worker exited with ${code}`)));
  });
}

interface LambdaResult {
  statusCode: number;
  body: string;
}

/**
 * The API handler bundled as deployed and imported here; `env` is set in this process for its
 * depsFromEnv, and `instrument` sees the dependencies it built (to count their DynamoDB requests).
 */
async function bundledHandler(env: Record<string, string>, instrument: (deps: AppDeps) => AppDeps) {
  // Profiled runs bundle unminified and in one file, so the profile names the functions, and the
  // bundle's `// file` comments the sources, the time goes to (infra/bench/profile-attribution.ts).
  const profiling = Boolean(PROFILE_DIR);
  const outfile = await bundleLambda(
    joinPath(REPO_ROOT, 'test/bench/lambda-entry.ts'),
    joinPath(REPO_ROOT, 'node_modules/.cache/join-bench-lambda'),
    [],
    { minify: !profiling, splitting: !profiling },
  );
  Object.assign(process.env, env);
  const mod = (await import(pathToFileURL(outfile).href)) as typeof import('./lambda-entry.js');
  const handler = mod.instrumentedHandler(instrument);
  return async (event: ReturnType<typeof httpApiEvent>, context: ReturnType<typeof lambdaContext>) =>
    (await handler(event, context)) as LambdaResult;
}

async function main() {
  const local = process.env.DYNAMODB_ENDPOINT ? null : await startDynamoDbLocal();
  const endpoint = process.env.DYNAMODB_ENDPOINT ?? local!.endpoint;
  const tableName = `bench_${randomUUID().slice(0, 8)}`;
  const raw = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTable(raw, tableName);

  // Count every DynamoDB request the API makes, and the write capacity the join path reports.
  const doc = createDocumentClient({ region: 'local', endpoint });
  const requests = new Map<string, number>();
  const durations = new Map<string, number>();
  // Counting is on the API's side only, so it is kept to a map bump; timings only with BENCH_DEBUG.
  const timed = Boolean(process.env.BENCH_DEBUG);
  const countOn = (client: CampaignDb['doc']) =>
    client.middlewareStack.add(
      (next, context) => (args) => {
        const name = context.commandName ?? '?';
        requests.set(name, (requests.get(name) ?? 0) + 1);
        if (!timed) return next(args);
        const t = performance.now();
        return next(args).finally(() => durations.set(name, (durations.get(name) ?? 0) + performance.now() - t));
      },
      { step: 'initialize', name: 'countRequests' },
    );
  countOn(doc);
  let wcu = 0;
  const onCapacity: CampaignDb['onCapacity'] = (_op, cc) => {
    for (const c of ([] as ConsumedCapacity[]).concat(cc ?? [])) wcu += c.CapacityUnits ?? 0;
  };
  const db: CampaignDb = { doc, tableName, clock: systemClock, cache: new CampaignCache(), onCapacity };
  const tokens = { secret: 'bench-secret-0123456789abcdef', issuer: 'tuangou-api', audience: 'tuangou-miniprogram', ttlSeconds: 3600 };
  // As deployed: per-user rate limits on (each bench user joins once: counted in memory only).
  const app = createApp({
    db,
    tokens,
    devAuth: false,
    logger: createLogger('silent'),
    rateLimits: { ...DEFAULT_RATE_LIMITS, local: new LocalRateCounts() },
    money: disabledMoney,
  });
  // The bundled handler reads its configuration from the environment, as deployed (functions/bootstrap.ts).
  const lambda = LAMBDA
    ? await bundledHandler(
        {
          TABLE_NAME: tableName,
          DYNAMODB_ENDPOINT: endpoint,
          AWS_REGION: 'local',
          AUTH_SECRET: tokens.secret,
          DEV_AUTH: 'false',
          LOG_LEVEL: 'silent',
        },
        (deps) => {
          countOn(deps.db.doc);
          return { ...deps, db: { ...deps.db, onCapacity } };
        },
      )
    : undefined;
  const port = await freePort();
  // Not with the Lambda transport: @hono/node-server's serve() replaces the global Request and Response
  // with its own lighter classes, which the Lambda adapter would then use; in Lambda it runs on Node's.
  const server = LAMBDA ? undefined : serve({ fetch: app.fetch, port });
  const base = `http://127.0.0.1:${port}`;
  /** Setup requests (campaigns) to the bench's own app: over HTTP, or in process with the Lambda transport. */
  const call = (path: string, init?: RequestInit) => (server ? fetch(`${base}${path}`, init) : app.request(path, init));

  const leaderToken = await issueToken(tokens, { id: 'u_leader', nickname: '团长' });
  const closesAt = new Date(Date.now() + 3600_000).toISOString();
  const create = await call('/campaigns', {
    method: 'POST',
    headers: { authorization: `Bearer ${leaderToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title: '压测 秒杀荔枝', closesAt, items: [{ name: '荔枝', unitPrice: 990, stock: STOCK, perPersonLimit: 1 }] }),
  });
  const campaign = (await create.json()) as { id: string };
  const userTokens = await Promise.all(Array.from({ length: N }, (_, i) => issueToken(tokens, { id: `u_b${i}`, nickname: `用户${i}` })));

  // The same writes without the API, at the same concurrency, each run on a fresh campaign.
  const rawDoc = createDocumentClient({ region: 'local', endpoint });
  const limited = new Set(['i1']);
  const rawJoins = async (label: string, n: number) => {
    const rawCreate = await call('/campaigns', {
      method: 'POST',
      headers: { authorization: `Bearer ${leaderToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: `raw ${label}`, closesAt, items: [{ name: '荔枝', unitPrice: 990, stock: n * 2 }] }),
    });
    const rawCampaign = (await rawCreate.json()) as { id: string };
    return runPool(n, C, async (i) => {
      const now = new Date().toISOString();
      const token = newJoinToken();
      const userId = `u_r${label}${i}`;
      await rawDoc.send(
        new UpdateCommand(
          claimMember(tableName, rawCampaign.id, {
            userId,
            token,
            state: 'held',
            requestHash: 'h',
            createdAt: now,
            idempotencyKey: `raw-${i}`,
          }),
        ),
      );
      const out = await rawDoc.send(
        new UpdateCommand(
          counterUpdate(tableName, rawCampaign.id, {
            units: new Map([['i1', 1]]),
            participants: 1,
            takeNumber: true,
            joinToken: token,
            limited,
            requireOpenAt: now,
          }),
        ),
      );
      const seq = out.Attributes!.seq as number;
      await rawDoc.send(
        new PutCommand(
          putEntry(tableName, {
            id: entryIds.of(seq, token),
            campaignId: rawCampaign.id,
            campaignTitle: 'raw',
            seq,
            userId,
            nickname: `用户${i}`,
            items: [{ itemId: 'i1', qty: 1 }],
            note: null,
            pickupPointId: null,
            phone: null,
            status: 'active',
            createdAt: now,
            updatedAt: now,
            version: 1,
          }),
        ),
      );
      return 'ok';
    });
  };
  // DynamoDB Local's JIT warms up over the first thousand requests: warm it before measuring, and
  // measure raw before and after the API, keeping the faster raw run (a conservative ratio).
  await rawJoins('warmup', WARMUP);
  const dbPid = local?.pid;
  const { out: rawBefore, cpu: rawBeforeCpu } = await cpuPer(N, dbPid, () => profiled('raw', () => rawJoins('before', N)));

  /** What one API phase joins: a campaign, a signed member per join, idempotency keys of its own. */
  interface Target {
    campaignId: string;
    tokens: string[];
    keyPrefix: string;
  }
  const inProcess = (t: Target) =>
    runPool(t.tokens.length, C, async (i) => {
      const res = await app.request(`/campaigns/${t.campaignId}/entries`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.tokens[i]}`, 'content-type': 'application/json', 'idempotency-key': `${t.keyPrefix}-${i}` },
        body: JSON.stringify({ items: [{ itemId: 'i1', qty: 1 }] }),
      });
      const body = (await res.json()) as { error?: { code: string } };
      return res.status === 201 ? '201' : `${res.status} ${body.error?.code}`;
    });
  const joinEvent = (t: Target, i: number) =>
    httpApiEvent({
      method: 'POST',
      path: `/campaigns/${t.campaignId}/entries`,
      headers: { authorization: `Bearer ${t.tokens[i]}`, 'content-type': 'application/json', 'idempotency-key': `${t.keyPrefix}-${i}` },
      body: JSON.stringify({ items: [{ itemId: 'i1', qty: 1 }] }),
      requestId: `${t.keyPrefix}-${i}`,
    });
  const viaLambda = (t: Target) =>
    runPool(t.tokens.length, C, async (i) => {
      const res = await lambda!(joinEvent(t, i), lambdaContext(`${t.keyPrefix}-${i}`));
      if (res.statusCode === 201) return '201';
      return `${res.statusCode} ${(JSON.parse(res.body) as { error?: { code: string } }).error?.code}`;
    });
  if (lambda) {
    // The cold start (deps, app) is paid before measuring, as the other transports' servers are up before.
    const health = await lambda(httpApiEvent({ path: '/health', requestId: 'warm' }), lambdaContext('warm'));
    if (health.statusCode !== 200) throw new Error(`the bundled handler answered /health with ${health.statusCode}: ${health.body}`);
  }
  const overHttp = async (t: Target) => {
    const load = await loadFromWorker({ base, campaignId: t.campaignId, tokens: t.tokens, keyPrefix: t.keyPrefix, concurrency: C });
    return { results: load.results, ...summarize(load.latencies, load.seconds), loadCpuMs: load.cpuMs };
  };
  const apiJoins = LAMBDA ? viaLambda : IN_PROCESS ? inProcess : overHttp;
  // The API's code warms up as the raw side's did (the bundled handler carries its own copy of the
  // SDK, cold until used): the same number of joins on a campaign of its own, not measured.
  const warmCampaign = await call('/campaigns', {
    method: 'POST',
    headers: { authorization: `Bearer ${leaderToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title: '预热', closesAt, items: [{ name: '荔枝', unitPrice: 990, stock: WARMUP * 2, perPersonLimit: 1 }] }),
  });
  const warmTokens = await Promise.all(
    Array.from({ length: WARMUP }, (_, i) => issueToken(tokens, { id: `u_w${i}`, nickname: `预热${i}` })),
  );
  const warm = await apiJoins({ campaignId: ((await warmCampaign.json()) as { id: string }).id, tokens: warmTokens, keyPrefix: 'warm' });
  if (!warm.results.every((r) => r === '201')) throw new Error(`warm-up joins failed: ${warm.results.find((r) => r !== '201')}`);
  requests.clear();
  wcu = 0;
  const { out: api, cpu: apiCpu } = await cpuPer(N, dbPid, () =>
    profiled('api', () => apiJoins({ campaignId: campaign.id, tokens: userTokens, keyPrefix: 'bench' })),
  );
  const byCode: Record<string, number> = {};
  for (const r of api.results) byCode[r] = (byCode[r] ?? 0) + 1;
  const accepted = byCode['201'] ?? 0;
  const writeRequests = ['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'TransactWriteItemsCommand'].reduce(
    (n, k) => n + (requests.get(k) ?? 0),
    0,
  );
  const readRequests = ['QueryCommand', 'GetItemCommand', 'BatchGetItemCommand'].reduce((n, k) => n + (requests.get(k) ?? 0), 0);

  // Read back through what took the joins (the setup server's app has its own campaign cache).
  const afterText = lambda
    ? (await lambda(httpApiEvent({ path: `/campaigns/${campaign.id}`, requestId: 'after' }), lambdaContext('after'))).body
    : await (await call(`/campaigns/${campaign.id}`)).text();
  const after = JSON.parse(afterText) as { items: Array<{ sold: number; remaining: number }> };
  const oversold = Math.max(0, after.items[0]!.sold - STOCK) + Math.max(0, -after.items[0]!.remaining);

  const { out: rawAfter, cpu: rawAfterCpu } = await cpuPer(N, dbPid, () => rawJoins('after', N));
  const [rawRun, rawCpu] = rawBefore.perSecond >= rawAfter.perSecond ? [rawBefore, rawBeforeCpu] : [rawAfter, rawAfterCpu];

  const figures = {
    joins: N,
    concurrency: C,
    transport: TRANSPORT,
    stock: STOCK,
    apiJoinsPerSecond: Math.round(api.perSecond),
    apiLatencyMs: { p50: +api.p50.toFixed(1), p95: +api.p95.toFixed(1), p99: +api.p99.toFixed(1) },
    responses: byCode,
    oversoldUnits: oversold,
    rawJoinsPerSecond: Math.round(rawRun.perSecond),
    rawLatencyMs: { p50: +rawRun.p50.toFixed(1), p95: +rawRun.p95.toFixed(1), p99: +rawRun.p99.toFixed(1) },
    ratioApiToRaw: +(api.perSecond / rawRun.perSecond).toFixed(2),
    cpuMsPerJoin: { api: apiCpu, raw: { server: rawCpu.server, dynamodbLocal: rawCpu.dynamodbLocal } },
    loadAverage: os.loadavg().map((l) => +l.toFixed(2)),
    dynamoWriteRequestsPerAcceptedJoin: +(writeRequests / Math.max(1, accepted)).toFixed(2),
    dynamoReadRequestsPerJoinAttempt: +(readRequests / N).toFixed(2),
    consumedWcuPerAcceptedJoin: +(wcu / Math.max(1, accepted)).toFixed(2),
    requestsByCommand: Object.fromEntries(requests),
  };
  const how = LAMBDA ? 'bundled Lambda handler, API Gateway v2 events in process' : IN_PROCESS ? 'in-process app.request()' : 'over HTTP';
  console.log(`joins: ${N} from ${C} concurrent clients, stock ${STOCK}, ${how}`);
  console.log(
    `API:  ${figures.apiJoinsPerSecond} joins/s  p50 ${figures.apiLatencyMs.p50} ms  p95 ${figures.apiLatencyMs.p95} ms  p99 ${figures.apiLatencyMs.p99} ms`,
  );
  console.log(`responses: ${JSON.stringify(byCode)}   oversold units: ${oversold}`);
  console.log(
    `raw:  ${figures.rawJoinsPerSecond} joins/s  p50 ${figures.rawLatencyMs.p50} ms  (claim put + counter update + entry put, same concurrency)`,
  );
  console.log(`ratio API/raw: ${figures.ratioApiToRaw}`);
  console.log(
    `CPU ms per join: API server ${apiCpu.server} + load generator ${apiCpu.loadGenerator} + DynamoDB Local ${apiCpu.dynamodbLocal}; raw SDK ${rawCpu.server} + DynamoDB Local ${rawCpu.dynamodbLocal}   (load average ${figures.loadAverage.join(' ')})`,
  );
  console.log(
    `per accepted join: ${figures.dynamoWriteRequestsPerAcceptedJoin} write requests, ${figures.consumedWcuPerAcceptedJoin} WCU (base table + indexes); ${figures.dynamoReadRequestsPerJoinAttempt} reads per attempt`,
  );
  if (process.env.BENCH_DEBUG)
    console.log('ms per command', Object.fromEntries([...durations].map(([k, v]) => [k, +(v / (requests.get(k) ?? 1)).toFixed(1)])));
  console.log(JSON.stringify(figures));

  server?.close();
  raw.destroy();
  await local?.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
