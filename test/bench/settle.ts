/**
 * npm run bench:settle [-- --entries 20000]
 *
 * Seeds one campaign with N entries (BatchWriteItem, the same items a join writes), closes it, and
 * times through the real app: settling, listing every page, reading every settlement page and
 * exporting the CSV; beside the raw time to read the same entries (base-table Query pages) and write one
 * summary item. Prints times, the ratio, peak memory, and the largest response (Lambda's limit is
 * 6 MB), then one JSON line.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createApp } from '../../functions/app.js';
import { issueToken } from '../../shared/auth/tokens.js';
import { CampaignCache } from '../../shared/campaigns/cache.js';
import { systemClock } from '../../shared/clock.js';
import { putEntry } from '../../shared/entries/commands.js';
import { startDynamoDbLocal } from '../../shared/local/dynamodb-local.js';
import { createLogger } from '../../shared/logger.js';
import { disabledMoney } from '../../shared/money/money.js';
import { createDocumentClient } from '../../shared/table/client.js';
import { ensureTable } from '../../shared/table/create-table.js';
import { entryIds, keys, SORT } from '../../shared/table/keys.js';

const { values } = parseArgs({ options: { entries: { type: 'string', default: '20000' } } });
const N = Number(values.entries);

let peakRss = 0;
let peakHeap = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
}, 10);

const mb = (bytes: number) => +(bytes / 1024 / 1024).toFixed(1);

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const out = await fn();
  return [out, +((performance.now() - t) / 1000).toFixed(2)];
}

async function main() {
  const local = process.env.DYNAMODB_ENDPOINT ? null : await startDynamoDbLocal();
  const endpoint = process.env.DYNAMODB_ENDPOINT ?? local!.endpoint;
  const tableName = `settle_${randomUUID().slice(0, 8)}`;
  const raw = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTable(raw, tableName);
  const doc = createDocumentClient({ region: 'local', endpoint });
  const tokens = { secret: 'bench-secret-0123456789abcdef', issuer: 'tuangou-api', audience: 'tuangou-miniprogram', ttlSeconds: 3600 };
  const app = createApp({
    db: { doc, tableName, clock: systemClock, cache: new CampaignCache() },
    tokens,
    devAuth: false,
    logger: createLogger('silent'),
    money: disabledMoney,
  });
  const leader = await issueToken(tokens, { id: 'u_leader', nickname: '团长' });
  const auth = { authorization: `Bearer ${leader}` };

  const created = await app.request('/campaigns', {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      title: '大团 两万人接龙',
      closesAt: new Date(Date.now() + 3600_000).toISOString(),
      items: [
        {
          name: '大米 10斤',
          unitPrice: 5990,
          tiers: [
            { threshold: 1000, unitPrice: 5490 },
            { threshold: 20000, unitPrice: 4990 },
          ],
        },
        { name: '鸡蛋 30枚', unitPrice: 2990 },
      ],
      pickupPoints: [{ name: '1号门' }, { name: '2号门' }],
    }),
  });
  const campaign = (await created.json()) as { id: string; title: string };

  // Seed: N entries exactly as joins write them, then counters that match.
  const seedStart = performance.now();
  const now = new Date().toISOString();
  const sold = { i1: 0, i2: 0 };
  let batches: Array<Array<Record<string, unknown>>> = [];
  let batch: Array<Record<string, unknown>> = [];
  for (let seq = 1; seq <= N; seq++) {
    const qty1 = (seq % 3) + 1;
    const qty2 = seq % 2;
    sold.i1 += qty1;
    sold.i2 += qty2;
    const items = [{ itemId: 'i1', qty: qty1 }, ...(qty2 ? [{ itemId: 'i2', qty: qty2 }] : [])];
    const entry = putEntry(tableName, {
      id: entryIds.of(seq, `seed${seq.toString(32)}`),
      campaignId: campaign.id,
      campaignTitle: campaign.title,
      seq,
      userId: `u_s${seq}`,
      nickname: `邻居${seq}`,
      items,
      note: seq % 5 === 0 ? '放门卫' : null,
      pickupPointId: seq % 2 ? 'p1' : 'p2',
      phone: `138${String(seq).padStart(8, '0')}`,
      status: 'active',
      createdAt: now,
      updatedAt: now,
      version: 1,
    }).Item!;
    batch.push(entry);
    batch.push({
      ...keys.member(campaign.id, `u_s${seq}`),
      type: 'member',
      userId: `u_s${seq}`,
      token: `seed${seq.toString(32)}`,
      state: 'held',
      requestHash: 'seed',
      createdAt: now,
    });
    if (batch.length === 24) {
      batches.push(batch);
      batch = [];
    }
  }
  if (batch.length) batches.push(batch);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < batches.length; i = next++) {
        let items = batches[i]!.map((Item) => ({ PutRequest: { Item } }));
        while (items.length) {
          const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: items } }));
          items = (out.UnprocessedItems?.[tableName] ?? []) as typeof items;
        }
      }
    }),
  );
  await doc.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.campaignState(campaign.id),
      UpdateExpression: 'SET #seq = :n, #participants = :n, #sold = :sold',
      ExpressionAttributeNames: { '#seq': 'seq', '#participants': 'participants', '#sold': 'sold' },
      ExpressionAttributeValues: { ':n': N, ':sold': sold },
    }),
  );
  const seedSeconds = +((performance.now() - seedStart) / 1000).toFixed(1);
  batches = []; // let the seed data go, so the peaks below are the app's
  await new Promise((r) => setTimeout(r, 200));
  const heapBefore = process.memoryUsage().heapUsed;
  peakRss = 0;
  peakHeap = 0;
  await app.request(`/campaigns/${campaign.id}/close`, { method: 'POST', headers: auth });

  // Raw: read the same entries (base-table pages of ENTRY#<seq>) and write one summary item.
  const rawReadWrite = () =>
    timed(async () => {
      let start: Record<string, unknown> | undefined;
      let count = 0;
      do {
        const out = await doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
            ExpressionAttributeValues: { ':pk': keys.campaignPartition(campaign.id), ':entry': SORT.entryPrefix },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        count += out.Items?.length ?? 0;
        start = out.LastEvaluatedKey;
      } while (start);
      await doc.send(new PutCommand({ TableName: tableName, Item: { pk: `RAW#${campaign.id}`, sk: '#SETTLEMENT', entryCount: count } }));
      return count;
    });

  // Measured before and after the app's work; the faster run counts (DynamoDB Local warms up).
  const [rawCount, rawBefore] = await rawReadWrite();
  let largestResponse = 0;
  const get = async (path: string, method = 'GET') => {
    const res = await app.request(path, { method, headers: auth });
    const text = await res.text();
    largestResponse = Math.max(largestResponse, Buffer.byteLength(text));
    if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
    return text;
  };

  const [settledText, settleSeconds] = await timed(() => get(`/campaigns/${campaign.id}/settle`, 'POST'));
  const settled = JSON.parse(settledText) as { entryCount: number; total: number; items: Array<{ finalUnitPrice: number }> };

  const [settlementPages, settlementPagesSeconds] = await timed(async () => {
    let cursor: string | null = null;
    let count = 0;
    let pages = 0;
    do {
      const page = JSON.parse(await get(`/campaigns/${campaign.id}/settlement?limit=1000${cursor ? `&cursor=${cursor}` : ''}`)) as {
        entries: unknown[];
        nextCursor: string | null;
      };
      count += page.entries.length;
      pages++;
      cursor = page.nextCursor;
    } while (cursor);
    return { count, pages };
  });

  const [listed, listSeconds] = await timed(async () => {
    let cursor: string | null = null;
    let count = 0;
    do {
      const page = JSON.parse(await get(`/campaigns/${campaign.id}/entries?limit=100${cursor ? `&cursor=${cursor}` : ''}`)) as {
        entries: unknown[];
        nextCursor: string | null;
      };
      count += page.entries.length;
      cursor = page.nextCursor;
    } while (cursor);
    return count;
  });

  const [csv, csvSeconds] = await timed(() => get(`/campaigns/${campaign.id}/settlement.csv`));
  // The leader's payments view: every page reads the whole list (totals are over all lines).
  const [paymentsPage, paymentsPageSeconds] = await timed(() => get(`/campaigns/${campaign.id}/payments?limit=2000`));
  const paymentsTotalEntries = (JSON.parse(paymentsPage) as { totals: { entries: number } }).totals.entries;
  const [paymentsCsv, paymentsCsvSeconds] = await timed(() => get(`/campaigns/${campaign.id}/payments.csv`));

  const [, rawAfter] = await rawReadWrite();
  const rawSeconds = Math.min(rawBefore, rawAfter);
  clearInterval(sampler);
  const figures = {
    entries: N,
    seedSeconds,
    settleSeconds,
    rawReadWriteSeconds: rawSeconds,
    ratioSettleToRaw: +(settleSeconds / rawSeconds).toFixed(2),
    settledEntryCount: settled.entryCount,
    finalUnitPrice: settled.items[0]?.finalUnitPrice,
    settlementPages: settlementPages.pages,
    settlementPagesSeconds,
    listAllPagesOf100Seconds: listSeconds,
    csvSeconds,
    csvMB: mb(Buffer.byteLength(csv)),
    paymentsPageSeconds,
    paymentsPageMB: mb(Buffer.byteLength(paymentsPage)),
    paymentsCsvSeconds,
    paymentsCsvMB: mb(Buffer.byteLength(paymentsCsv)),
    largestResponseMB: mb(largestResponse),
    heapBeforeMB: mb(heapBefore),
    peakRssMB: mb(peakRss),
    peakHeapMB: mb(peakHeap),
  };
  if (settled.entryCount !== N || settlementPages.count !== N || listed !== N || rawCount !== N || paymentsTotalEntries !== N)
    throw new Error(`counts differ: ${JSON.stringify({ settled: settled.entryCount, pages: settlementPages.count, listed, rawCount })}`);
  console.log(`campaign with ${N} entries (seeded in ${seedSeconds} s)`);
  console.log(
    `settle:            ${settleSeconds} s   (raw read of the same entries + one write: ${rawSeconds} s, ratio ${figures.ratioSettleToRaw})`,
  );
  console.log(`settlement pages:  ${settlementPages.pages} pages of ≤1000 in ${settlementPagesSeconds} s`);
  console.log(`list all entries:  ${listSeconds} s (pages of 100)`);
  console.log(`CSV export:        ${csvSeconds} s, ${figures.csvMB} MB`);
  console.log(
    `payments view:     ${paymentsPageSeconds} s for a page of 2000 with totals over all (${figures.paymentsPageMB} MB); payments.csv ${paymentsCsvSeconds} s, ${figures.paymentsCsvMB} MB`,
  );
  console.log(
    `largest response:  ${figures.largestResponseMB} MB (Lambda limit 6 MB)   peak RSS ${figures.peakRssMB} MB, peak heap ${figures.peakHeapMB} MB (${figures.heapBeforeMB} MB before settling)`,
  );
  console.log(JSON.stringify(figures));
  raw.destroy();
  await local?.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
