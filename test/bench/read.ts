/**
 * npm run bench:read [-- --entries 2000 --requests 2000 --concurrency 32 --limit 100 [--transport http|inprocess]]
 *
 * The public read path, what every member of a viral campaign refreshes: a campaign with N
 * entries (seeded as joins write them, test/helpers/seed-entries.ts), then R anonymous
 * GET /campaigns/{id} and R anonymous GET /campaigns/{id}/entries?limit=L from C concurrent clients
 * through the real app: over HTTP (@hono/node-server on this thread, the clients in a worker,
 * read-load.mjs, as join.ts), or with `--transport inprocess` through app.request(); beside the
 * raw baseline: the same DynamoDB requests the routes send (the campaign Query of META, STATE and
 * SETTLEMENT, strongly consistent; for the list then the entries Query, eventually consistent,
 * Limit L), straight through a document client at the same concurrency. Then R revalidations of
 * the list with its ETag (304s).
 *
 * Read units: both sides ask ReturnConsumedCapacity TOTAL, the app's through a middleware on its
 * document client (so the app's code is unchanged and both sides pay the same for asking).
 * DynamoDB Local's JIT warms up first; raw runs before and after the app's, keeping the faster
 * (a conservative ratio), as join.ts does. Ends with one JSON line.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { serve } from '@hono/node-server';
import { createApp } from '../../functions/app.js';
import { issueToken } from '../../shared/auth/tokens.js';
import { CampaignCache } from '../../shared/campaigns/cache.js';
import { systemClock } from '../../shared/clock.js';
import { DEFAULT_RATE_LIMITS, LocalRateCounts } from '../../shared/limits/rate-limit.js';
import { freePort, startDynamoDbLocal } from '../../shared/local/dynamodb-local.js';
import { createLogger } from '../../shared/logger.js';
import { disabledMoney } from '../../shared/money/money.js';
import { createDocumentClient } from '../../shared/table/client.js';
import { ensureTable } from '../../shared/table/create-table.js';
import { keys, SORT } from '../../shared/table/keys.js';
import { seedEntries } from '../helpers/seed-entries.js';
import { cpuPer, type Run, runPool, summarize } from './pool.js';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '2000' },
    requests: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '32' },
    limit: { type: 'string', default: '100' },
    transport: { type: 'string', default: 'http' },
  },
});
// As join.ts: over HTTP (@hono/node-server, a worker thread's keep-alive clients) by default;
// `--transport inprocess` calls app.request() on the main thread (no sockets, but a full WHATWG
// Request and Response per call).
const IN_PROCESS = values.transport === 'inprocess';
const N = Number(values.entries);
const R = Number(values.requests);
const C = Number(values.concurrency);
const L = Number(values.limit);

/** Counts requests and the read units they report, by command, on a document client. */
function meter(doc: DynamoDBDocumentClient) {
  const requests = new Map<string, number>();
  let units = 0;
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? '?';
      requests.set(name, (requests.get(name) ?? 0) + 1);
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      const out = await next(args);
      const cc = (out.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity;
      for (const c of ([] as ConsumedCapacity[]).concat(cc ?? [])) units += c.CapacityUnits ?? 0;
      return out;
    },
    { step: 'initialize', name: 'meterReads' },
  );
  return {
    requests,
    /** read units and requests since the last take */
    take() {
      const out = { units, requests: [...requests.values()].reduce((a, b) => a + b, 0) };
      units = 0;
      requests.clear();
      return out;
    },
  };
}

async function main() {
  const local = process.env.DYNAMODB_ENDPOINT ? null : await startDynamoDbLocal();
  const endpoint = process.env.DYNAMODB_ENDPOINT ?? local!.endpoint;
  const tableName = `bench_${randomUUID().slice(0, 8)}`;
  const raw = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTable(raw, tableName);

  const doc = createDocumentClient({ region: 'local', endpoint });
  const db = { doc, tableName, clock: systemClock, cache: new CampaignCache() };
  const tokens = { secret: 'bench-secret-0123456789abcdef', issuer: 'tuangou-api', audience: 'tuangou-miniprogram', ttlSeconds: 3600 };
  const app = createApp({
    db,
    tokens,
    devAuth: false,
    logger: createLogger('silent'),
    rateLimits: { ...DEFAULT_RATE_LIMITS, local: new LocalRateCounts() },
    money: disabledMoney,
  });

  const leaderToken = await issueToken(tokens, { id: 'u_leader', nickname: '团长' });
  const create = await app.request('/campaigns', {
    method: 'POST',
    headers: { authorization: `Bearer ${leaderToken}`, 'content-type': 'application/json' },
    // Unlimited stock: what seedEntries keeps counters for.
    body: JSON.stringify({
      title: '压测 爆款荔枝',
      closesAt: new Date(Date.now() + 3600_000).toISOString(),
      items: [{ name: '荔枝', unitPrice: 990 }],
    }),
  });
  const campaign = (await create.json()) as { id: string; title: string };
  const seeded = performance.now();
  await seedEntries(
    { tableName, db, clock: systemClock },
    campaign,
    Array.from({ length: N }, (_, i) => `团员${i}`),
  );
  const seedSeconds = (performance.now() - seeded) / 1000;

  const pagePath = `/campaigns/${campaign.id}`;
  const listPath = `${pagePath}/entries?limit=${L}`;
  const appMeter = meter(doc);
  /** One request through the app, its body read as a client would; anything but `status` stops the bench. */
  const fetchApp = async (path: string, status: number, headers: Record<string, string> = {}) => {
    const res = await app.request(path, { headers });
    if (res.status !== status) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.arrayBuffer();
  };
  const port = await freePort();
  const server = serve({ fetch: app.fetch, port });
  /** R GETs of `path` from C clients: in process, or over HTTP from the worker's connections. */
  const load = async (path: string, status: number, headers: Record<string, string> = {}): Promise<Run> => {
    if (IN_PROCESS) return runPool(R, C, () => fetchApp(path, status, headers));
    const job = { base: `http://127.0.0.1:${port}`, path, headers, count: R, concurrency: C, status };
    const out = await new Promise<{ latencies: number[]; seconds: number; cpuMs: number }>((resolve, reject) => {
      const worker = new Worker(new URL('./read-load.mjs', import.meta.url), { workerData: job });
      worker.once('message', (result) => {
        resolve(result);
        void worker.terminate();
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`load worker exited with ${code}`)));
    });
    return { ...summarize(out.latencies, out.seconds), loadCpuMs: out.cpuMs };
  };
  const appPage = () => load(pagePath, 200);
  const appList = () => load(listPath, 200);

  // The raw side: the requests the routes send (shared/campaigns getCampaign, shared/entries listEntries).
  const rawDoc = createDocumentClient({ region: 'local', endpoint });
  const rawMeter = meter(rawDoc);
  const pk = keys.campaignPartition(campaign.id);
  const campaignQuery = () =>
    rawDoc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :hash)',
        ExpressionAttributeValues: { ':pk': pk, ':hash': '#' },
        ConsistentRead: true,
      }),
    );
  const entriesQuery = () =>
    rawDoc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
        FilterExpression: '#type = :line',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':pk': pk, ':entry': SORT.entryPrefix, ':line': 'entry' },
        ConsistentRead: false,
        Limit: L,
      }),
    );
  const rawPage = () => runPool(R, C, () => campaignQuery());
  const rawList = () =>
    runPool(R, C, async () => {
      await campaignQuery(); // the route reads the campaign first (404, a draft), then the page
      return entriesQuery();
    });

  const dbPid = local?.pid;
  /** One measured phase: throughput, latency, CPU per request and read units per request. */
  const phase = async (m: ReturnType<typeof meter>, run: () => Promise<Run>) => {
    m.take();
    const { out, cpu } = await cpuPer(R, dbPid, run);
    const { units, requests } = m.take();
    return { ...out, cpu, unitsPer: units / R, requestsPer: requests / R };
  };
  // Warm DynamoDB Local's JIT and the app's code paths before anything is measured.
  for (const warm of [rawList, appList, rawPage, appPage]) await warm();
  const rawBefore = { page: await phase(rawMeter, rawPage), list: await phase(rawMeter, rawList) };
  const api = { page: await phase(appMeter, appPage), list: await phase(appMeter, appList) };
  const rawAfter = { page: await phase(rawMeter, rawPage), list: await phase(rawMeter, rawList) };
  const faster = <K extends 'page' | 'list'>(k: K) => (rawBefore[k].perSecond >= rawAfter[k].perSecond ? rawBefore[k] : rawAfter[k]);
  const rawRun = { page: faster('page'), list: faster('list') };

  // Revalidations: the list's current ETag sent back, as a member's client or the CDN does.
  const etag = (await app.request(listPath)).headers.get('etag') as string;
  const revalidate = await phase(appMeter, () => runPool(R, C, () => fetchApp(listPath, 304, { 'if-none-match': etag })));

  // A view is one request of the mix: half campaign pages, half list pages.
  const seconds = (s: { page: { seconds: number }; list: { seconds: number } }) => s.page.seconds + s.list.seconds;
  const views = 2 * R;
  const cpuOf = (c: { server: number; dynamodbLocal: number }) => c.server + c.dynamodbLocal;
  const cpuTotal = (s: {
    page: { cpu: { server: number; dynamodbLocal: number } };
    list: { cpu: { server: number; dynamodbLocal: number } };
  }) => cpuOf(s.page.cpu) + cpuOf(s.list.cpu);
  const lat = (s: { p50: number; p95: number; p99: number }) => ({
    p50: +s.p50.toFixed(1),
    p95: +s.p95.toFixed(1),
    p99: +s.p99.toFixed(1),
  });
  const per = (s: { perSecond: number }) => Math.round(s.perSecond);
  const figures = {
    views_per_s: Math.round(views / seconds(api)),
    raw_per_s: Math.round(views / seconds(rawRun)),
    ratio: +(seconds(rawRun) / seconds(api)).toFixed(2),
    // The same comparison as CPU (raw ÷ API, server and DynamoDB Local; a load generator's own
    // thread excluded): moves far less than requests/s when other work shares the 2 cores.
    cpu_ratio: +(cpuTotal(rawRun) / cpuTotal(api)).toFixed(2),
    read_units_per_view: +((api.page.unitsPer + api.list.unitsPer) / 2).toFixed(2),
    raw_read_units_per_view: +((rawRun.page.unitsPer + rawRun.list.unitsPer) / 2).toFixed(2),
    entries: N,
    requests: R,
    concurrency: C,
    limit: L,
    transport: IN_PROCESS ? 'inprocess' : 'http',
    page: {
      api_per_s: per(api.page),
      raw_per_s: per(rawRun.page),
      ratio: +(api.page.perSecond / rawRun.page.perSecond).toFixed(2),
      api_ms: lat(api.page),
      raw_ms: lat(rawRun.page),
      read_units: +api.page.unitsPer.toFixed(2),
      raw_read_units: +rawRun.page.unitsPer.toFixed(2),
      dynamo_requests: +api.page.requestsPer.toFixed(2),
    },
    list: {
      api_per_s: per(api.list),
      raw_per_s: per(rawRun.list),
      ratio: +(api.list.perSecond / rawRun.list.perSecond).toFixed(2),
      api_ms: lat(api.list),
      raw_ms: lat(rawRun.list),
      read_units: +api.list.unitsPer.toFixed(2),
      raw_read_units: +rawRun.list.unitsPer.toFixed(2),
      dynamo_requests: +api.list.requestsPer.toFixed(2),
    },
    revalidate_304: { per_s: per(revalidate), ms: lat(revalidate), read_units: +revalidate.unitsPer.toFixed(2) },
    cpu_ms_per_request: {
      page: { api: api.page.cpu, raw: rawRun.page.cpu },
      list: { api: api.list.cpu, raw: rawRun.list.cpu },
    },
    seed_seconds: +seedSeconds.toFixed(1),
    loadAverage: os.loadavg().map((l) => +l.toFixed(2)),
  };
  console.log(
    `read path: ${N} entries, ${R} requests per phase from ${C} concurrent clients, ${IN_PROCESS ? 'in-process app.request()' : 'over HTTP'}, list limit ${L}`,
  );
  for (const k of ['page', 'list'] as const) {
    const f = figures[k];
    console.log(
      `${k === 'page' ? 'GET /campaigns/{id}        ' : `GET …/entries?limit=${L}    `}  API ${f.api_per_s}/s (p50 ${f.api_ms.p50} ms)  raw ${f.raw_per_s}/s (p50 ${f.raw_ms.p50} ms)  ratio ${f.ratio}  read units ${f.read_units} (raw ${f.raw_read_units}), ${f.dynamo_requests} DynamoDB requests`,
    );
  }
  console.log(
    `If-None-Match → 304: ${figures.revalidate_304.per_s}/s (p50 ${figures.revalidate_304.ms.p50} ms), ${figures.revalidate_304.read_units} read units`,
  );
  console.log(
    `views: API ${figures.views_per_s}/s vs raw ${figures.raw_per_s}/s: ratio ${figures.ratio} (as CPU ${figures.cpu_ratio}); ${figures.read_units_per_view} read units per view (raw ${figures.raw_read_units_per_view})   (load average ${figures.loadAverage.join(' ')})`,
  );
  console.log(JSON.stringify(figures));

  server.close();
  raw.destroy();
  await local?.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
