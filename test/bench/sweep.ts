/**
 * npm run bench:sweep [-- --campaigns 2000 --entries 5 --prepaid 20 --slow-ms 2000 --concurrency 20]
 *
 * A city's 20:00: a few thousand campaigns (offline, with their entries) and some prepaid ones (each
 * with payment holds ending at the deadline) all close in the same minute. Measures, through the
 * real finder (sweepDueWork), the in-process lanes (the same per-kind limits as the SQS event
 * sources) and the real doWork, against DynamoDB Local and the fake WeChat Pay:
 *   - healthy: how long until every campaign is settled, and campaigns settled per minute;
 *   - slow: the same with WeChat Pay answering after --slow-ms (every hold waits on it);
 *   - raw: the same reads and writes without the app (one consistent Query of each campaign's
 *     partition and one conditional write of its summary), at the settle lane's width.
 * Prints one JSON line at the end.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createApp } from '../../functions/app.js';
import { issueToken } from '../../shared/auth/index.js';
import { CampaignCache } from '../../shared/campaigns/index.js';
import { DEFAULT_KIND_LIMITS, doWork, InProcessWorkQueue, sweepDueWork } from '../../shared/jobs/index.js';
import { startDynamoDbLocal } from '../../shared/local/index.js';
import { createLogger } from '../../shared/logger.js';
import { type FakeWechatPay, startFakeWechatPay } from '../../shared/money/fake/index.js';
import { createMoney, createWechatPayClient } from '../../shared/money/index.js';
import { upsertUser } from '../../shared/people/index.js';
import { createDocumentClient, ensureTable, keys, SORT } from '../../shared/table/index.js';

const { values } = parseArgs({
  options: {
    campaigns: { type: 'string', default: '2000' },
    entries: { type: 'string', default: '5' },
    prepaid: { type: 'string', default: '20' },
    'slow-ms': { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: String(DEFAULT_KIND_LIMITS.settle) },
  },
});
const CAMPAIGNS = Number(values.campaigns);
const ENTRIES = Number(values.entries);
const PREPAID = Number(values.prepaid);
const SLOW_MS = Number(values['slow-ms']);
const WIDTH = Number(values.concurrency);
const limits = { ...DEFAULT_KIND_LIMITS, settle: WIDTH };
const logger = createLogger('silent');
const secs = (ms: number) => +(ms / 1000).toFixed(2);

async function pool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let i = next++; i < items.length; i = next++) await fn(items[i]!);
    }),
  );
}

interface Scenario {
  offline: string[];
  prepaid: string[];
  drainSeconds: number;
  offlineSettledSeconds: number;
  allSettledSeconds: number;
  holdsEnded: number;
  deadLetters: number;
  units: Record<string, number>;
}

async function scenario(endpoint: string, fake: FakeWechatPay, latencyMs: number): Promise<Scenario> {
  const tableName = `sweep_${randomUUID().slice(0, 8)}`;
  const raw = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTable(raw, tableName);
  raw.destroy();
  let offset = 0;
  const clock = { now: () => new Date(Date.now() + offset) };
  const db = { doc: createDocumentClient({ region: 'local', endpoint }), tableName, clock, cache: new CampaignCache() };
  const config = { ...fake.config('http://127.0.0.1:9/payments/wechat/notify'), now: () => clock.now() };
  const money = createMoney(db, logger, { config, client: createWechatPayClient(config) });
  const tokens = { secret: 'bench-secret-0123456789abcdef', issuer: 'tuangou-api', audience: 'tuangou-miniprogram', ttlSeconds: 3600 };
  const app = createApp({ db, tokens, devAuth: false, logger, money });
  const call = async (path: string, token: string, body?: unknown) => {
    const res = await app.request(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
    const json = (await res.json()) as { id: string };
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  // Everything closes 90 s from now; the clock is then moved past it.
  const closesAt = new Date(Date.now() + 90_000).toISOString();
  const body = (paymentMode: 'offline' | 'wechatpay') => ({
    title: '周六 阳光玫瑰葡萄 团购',
    closesAt,
    paymentMode,
    minParticipants: 1,
    items: [{ name: '阳光玫瑰 2斤装', unitPrice: 3990, stock: 1000, tiers: [{ threshold: 3, unitPrice: 3590 }] }],
    pickupPoints: [{ name: '3号楼门卫室' }],
  });
  // Members logged in as WeChat users (a prepaid join needs the member's openid).
  const members = await Promise.all(
    Array.from({ length: Math.max(ENTRIES, 2) }, async (_, i) => issueToken(tokens, await upsertUser(db, `openid-bench-${i}`, `邻居${i}`))),
  );
  const ids = Array.from({ length: CAMPAIGNS + PREPAID }, (_, i) => i);
  const offline: string[] = [];
  const prepaid: string[] = [];
  await pool(ids, 16, async (i) => {
    const leader = await issueToken(tokens, { id: `u_leader${i}`, nickname: '团长' });
    const isPrepaid = i >= CAMPAIGNS;
    const c = await call('/campaigns', leader, body(isPrepaid ? 'wechatpay' : 'offline'));
    (isPrepaid ? prepaid : offline).push(c.id);
    // Offline: every member joins. Prepaid: two members join and never pay (holds end at the deadline).
    for (const m of members.slice(0, isPrepaid ? 2 : ENTRIES))
      await call(`/campaigns/${c.id}/entries`, m, { items: [{ itemId: 'i1', qty: 1 }], pickupPointId: 'p1' });
  });

  fake.setLatency(latencyMs);
  offset = Date.parse(closesAt) + 1000 - Date.now();
  const queue = new InProcessWorkQueue((unit) => doWork({ db, money, logger }, unit), { limits, logger });
  const start = performance.now();
  const settledAt = new Map<string, number>();
  const watch = setInterval(() => {
    for (const d of queue.done) if (d.unit.kind === 'settle' && !settledAt.has(d.unit.campaignId)) settledAt.set(d.unit.campaignId, d.at);
  }, 20);
  const units: Record<string, number> = {};
  // The finder runs every minute in the cloud; here every 5 s (what it finds again is dropped as a repeat).
  const sweep = async () => {
    const found = await sweepDueWork(db, money, queue);
    for (const [k, n] of Object.entries(found)) units[k] = Math.max(units[k] ?? 0, n);
  };
  await sweep();
  const again = setInterval(() => void sweep(), 5000);
  for (;;) {
    await queue.idle();
    const left = await sweepDueWork(db, money, queue);
    if (Object.values(left).every((n) => n === 0) || queue.dead.length > 0) break;
  }
  clearInterval(again);
  clearInterval(watch);
  const end = performance.now();
  for (const d of queue.done) if (d.unit.kind === 'settle' && !settledAt.has(d.unit.campaignId)) settledAt.set(d.unit.campaignId, d.at);
  const startEpoch = Date.now() - (end - start);
  const latest = (list: string[]) => Math.max(...list.map((id) => settledAt.get(id) ?? Number.POSITIVE_INFINITY)) - startEpoch;
  fake.setLatency(0);
  return {
    offline,
    prepaid,
    drainSeconds: secs(end - start),
    offlineSettledSeconds: secs(latest(offline)),
    allSettledSeconds: secs(latest([...offline, ...prepaid])),
    holdsEnded: queue.done.filter((d) => d.unit.kind === 'hold').length,
    deadLetters: queue.dead.length,
    units,
  };
}

/** The same reads and writes, without the app: each campaign's partition read once (consistent), one summary written. */
async function rawBaseline(endpoint: string, campaignIds: string[]): Promise<number> {
  const tableName = `sweep_raw_${randomUUID().slice(0, 8)}`;
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTable(client, tableName);
  client.destroy();
  const doc = createDocumentClient({ region: 'local', endpoint });
  // Seed partitions of the same shape: META, STATE and the entries.
  await pool(campaignIds, 16, async (id) => {
    for (const sk of [
      '#META',
      '#STATE',
      ...Array.from({ length: ENTRIES }, (_, i) => `${SORT.entryPrefix}${String(i + 1).padStart(8, '0')}`),
    ])
      await doc.send(new PutCommand({ TableName: tableName, Item: { pk: keys.campaignPartition(id), sk, qty: 1, note: '晚上取 3号楼' } }));
  });
  const start = performance.now();
  await pool(campaignIds, WIDTH, async (id) => {
    const out = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.campaignPartition(id) },
        ConsistentRead: true,
      }),
    );
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: keys.campaignPartition(id), sk: '#SETTLEMENT', entryCount: out.Items?.length ?? 0 },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  });
  return secs(performance.now() - start);
}

async function main() {
  const local = process.env.DYNAMODB_ENDPOINT ? null : await startDynamoDbLocal();
  const endpoint = process.env.DYNAMODB_ENDPOINT ?? local!.endpoint;
  let offset = 0;
  const fake = await startFakeWechatPay({ clock: () => new Date(Date.now() + offset) });
  try {
    console.log(
      `seeding ${CAMPAIGNS} offline campaigns × ${ENTRIES} entries and ${PREPAID} prepaid ones × 2 holds (three times: warm-up, healthy, slow) …`,
    );
    offset = 0;
    // DynamoDB Local's JVM warms up on a first run; the raw baseline runs before and after, the faster counts.
    const warm = await scenario(endpoint, fake, 0);
    const rawBefore = await rawBaseline(endpoint, warm.offline);
    const healthy = await scenario(endpoint, fake, 0);
    console.log(`healthy WeChat Pay: all settled in ${healthy.allSettledSeconds} s (offline ones in ${healthy.offlineSettledSeconds} s)`);
    const slow = await scenario(endpoint, fake, SLOW_MS);
    console.log(
      `WeChat Pay answering after ${SLOW_MS} ms: offline ones settled in ${slow.offlineSettledSeconds} s, all in ${slow.allSettledSeconds} s, drained in ${slow.drainSeconds} s`,
    );
    const rawSeconds = Math.min(rawBefore, await rawBaseline(endpoint, healthy.offline));
    console.log(`raw: the same reads and writes for the offline campaigns in ${rawSeconds} s`);
    const perMinute = (n: number, s: number) => Math.round((n / Math.max(s, 0.001)) * 60);
    const result = {
      bench: 'sweep',
      campaigns: CAMPAIGNS,
      entriesPerCampaign: ENTRIES,
      prepaidCampaigns: PREPAID,
      holds: PREPAID * 2,
      settleLaneWidth: WIDTH,
      healthy: {
        offlineSettledSeconds: healthy.offlineSettledSeconds,
        allSettledSeconds: healthy.allSettledSeconds,
        drainSeconds: healthy.drainSeconds,
        campaignsSettledPerMinute: perMinute(CAMPAIGNS + PREPAID, healthy.allSettledSeconds),
        deadLetters: healthy.deadLetters,
      },
      slowWechatPay: {
        latencyMs: SLOW_MS,
        offlineSettledSeconds: slow.offlineSettledSeconds,
        allSettledSeconds: slow.allSettledSeconds,
        drainSeconds: slow.drainSeconds,
        offlineSettledPerMinute: perMinute(CAMPAIGNS, slow.offlineSettledSeconds),
        deadLetters: slow.deadLetters,
      },
      warmUpSeconds: warm.allSettledSeconds,
      raw: { seconds: rawSeconds, campaignsPerMinute: perMinute(CAMPAIGNS, rawSeconds) },
      ratioToRaw: +(rawSeconds / Math.max(healthy.offlineSettledSeconds, 0.001)).toFixed(2),
    };
    console.log(JSON.stringify(result));
  } finally {
    await fake.close();
    await local?.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
