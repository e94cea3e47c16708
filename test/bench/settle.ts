/**
 * npm run bench:settle [-- --entries 20000 --items 20]
 *
 * Seeds one campaign with N entries of M items each (BatchWriteItem, the same items a join writes),
 * closes it, and times through the real app: settling, listing every page, reading every
 * settlement page and exporting the CSVs (past 2 MiB: streamed into the local S3 server, answered
 * 303 to a presigned URL, which is then downloaded); beside the raw time to read the same entries
 * (base-table Query pages) and write one summary item, and for the export the raw Query plus one
 * PutObject of the same bytes. Prints times, ratios, peak memory (also during the export alone),
 * and the largest response (Lambda's limit is 6 MB), then one JSON line.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BatchWriteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createApp } from '../../functions/app.js';
import { issueToken } from '../../shared/auth/tokens.js';
import { CampaignCache } from '../../shared/campaigns/cache.js';
import { systemClock } from '../../shared/clock.js';
import { putEntry } from '../../shared/entries/commands.js';
import { startDynamoDbLocal } from '../../shared/local/dynamodb-local.js';
import { startS3Local } from '../../shared/local/s3-local.js';
import { createLogger } from '../../shared/logger.js';
import { disabledMoney } from '../../shared/money/money.js';
import { DEFAULT_INLINE_MAX_BYTES, DEFAULT_URL_TTL_SECONDS } from '../../shared/storage/file-export.js';
import { s3ObjectStore } from '../../shared/storage/object-store.js';
import { createDocumentClient } from '../../shared/table/client.js';
import { ensureTable } from '../../shared/table/create-table.js';
import { entryIds, keys, SORT } from '../../shared/table/keys.js';

const { values } = parseArgs({ options: { entries: { type: 'string', default: '20000' }, items: { type: 'string', default: '20' } } });
const N = Number(values.entries);
/** items per campaign, and every entry takes each of them: the wide rows that made the CSV outgrow a response */
const M = Math.min(50, Math.max(2, Number(values.items)));

let peakRss = 0;
let peakHeap = 0;
/** reset just before an export, so it shows what the export alone needs */
let phaseRss = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
  phaseRss = Math.max(phaseRss, m.rss);
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
  const s3Local = process.env.S3_ENDPOINT ? null : await startS3Local();
  const s3Endpoint = process.env.S3_ENDPOINT ?? s3Local!.endpoint;
  const bucket = process.env.EXPORTS_BUCKET ?? s3Local!.bucket;
  const s3 = new S3Client({
    endpoint: s3Endpoint,
    region: 'local',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  const tokens = { secret: 'bench-secret-0123456789abcdef', issuer: 'tuangou-api', audience: 'tuangou-miniprogram', ttlSeconds: 3600 };
  const app = createApp({
    db: { doc, tableName, clock: systemClock, cache: new CampaignCache() },
    tokens,
    devAuth: false,
    logger: createLogger('silent'),
    money: disabledMoney,
    exports: {
      store: s3ObjectStore({ bucket, region: 'local', endpoint: s3Endpoint }),
      inlineMaxBytes: DEFAULT_INLINE_MAX_BYTES,
      urlTtlSeconds: DEFAULT_URL_TTL_SECONDS,
    },
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
        ...Array.from({ length: M - 2 }, (_, k) => ({ name: `产地直发 时令蔬果${k + 3}号`, spec: '5斤装', unitPrice: 1990 + k * 100 })),
      ],
      pickupPoints: [{ name: '1号门' }, { name: '2号门' }],
    }),
  });
  const campaign = (await created.json()) as { id: string; title: string };

  // Seed: N entries exactly as joins write them, then counters that match.
  const seedStart = performance.now();
  const now = new Date().toISOString();
  const sold: Record<string, number> = Object.fromEntries(Array.from({ length: M }, (_, k) => [`i${k + 1}`, 0]));
  let batches: Array<Array<Record<string, unknown>>> = [];
  let batch: Array<Record<string, unknown>> = [];
  for (let seq = 1; seq <= N; seq++) {
    const items = Array.from({ length: M }, (_, k) => ({ itemId: `i${k + 1}`, qty: ((seq + k) % 3) + 1 }));
    for (const line of items) sold[line.itemId]! += line.qty;
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
  const rawQueryEntries = async () => {
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
    return count;
  };
  const rawReadWrite = () =>
    timed(async () => {
      const count = await rawQueryEntries();
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

  /** An export as the leader's phone sees it: the answer (303 to the stored file, or the file), then the download. */
  const exportThroughApp = async (path: string) => {
    await new Promise((r) => setTimeout(r, 50));
    const rssBefore = process.memoryUsage().rss;
    phaseRss = rssBefore;
    const started = performance.now();
    const res = await app.request(path, { headers: auth });
    const answer = Buffer.from(await res.arrayBuffer());
    const seconds = +((performance.now() - started) / 1000).toFixed(2);
    const rssMB = mb(phaseRss);
    const rssBeforeMB = mb(rssBefore);
    largestResponse = Math.max(largestResponse, answer.length);
    if (res.status === 200) return { status: 200, seconds, downloadSeconds: 0, rssMB, rssBeforeMB, file: answer };
    if (res.status !== 303) throw new Error(`GET ${path}: ${res.status} ${answer.toString('utf8').slice(0, 200)}`);
    const [file, downloadSeconds] = await timed(async () => Buffer.from(await (await fetch(res.headers.get('location')!)).arrayBuffer()));
    return { status: 303, seconds, downloadSeconds, rssMB, rssBeforeMB, file };
  };
  const csv = await exportThroughApp(`/campaigns/${campaign.id}/settlement.csv`);
  const csvRows = csv.file
    .toString('utf8')
    .split('\r\n')
    .filter((r) => /^\d+,/.test(r)).length;
  // The leader's payments view: every page reads the whole list (totals are over all lines).
  const [paymentsPage, paymentsPageSeconds] = await timed(() => get(`/campaigns/${campaign.id}/payments?limit=2000`));
  const paymentsTotalEntries = (JSON.parse(paymentsPage) as { totals: { entries: number } }).totals.entries;
  const paymentsCsv = await exportThroughApp(`/campaigns/${campaign.id}/payments.csv`);

  // Raw export: the same Query pages, and the same bytes written to the same server in one PutObject.
  const rawExport = () =>
    timed(async () => {
      await rawQueryEntries();
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `raw/${randomUUID()}.csv`, Body: csv.file, ContentType: 'text/csv' }));
    });
  const rawExportSeconds = Math.min((await rawExport())[1], (await rawExport())[1]);

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
    itemsPerEntry: M,
    csvStatus: csv.status,
    csvSeconds: csv.seconds,
    csvDownloadSeconds: csv.downloadSeconds,
    csvMB: mb(csv.file.length),
    csvRows,
    csvRssBeforeMB: csv.rssBeforeMB,
    csvPeakRssMB: csv.rssMB,
    rawExportSeconds,
    ratioCsvToRawExport: +(csv.seconds / rawExportSeconds).toFixed(2),
    paymentsPageSeconds,
    paymentsPageMB: mb(Buffer.byteLength(paymentsPage)),
    paymentsCsvStatus: paymentsCsv.status,
    paymentsCsvSeconds: paymentsCsv.seconds,
    paymentsCsvMB: mb(paymentsCsv.file.length),
    paymentsCsvRssBeforeMB: paymentsCsv.rssBeforeMB,
    paymentsCsvPeakRssMB: paymentsCsv.rssMB,
    largestResponseMB: mb(largestResponse),
    heapBeforeMB: mb(heapBefore),
    peakRssMB: mb(peakRss),
    peakHeapMB: mb(peakHeap),
  };
  const counts = { settled: settled.entryCount, pages: settlementPages.count, listed, rawCount, csvRows, paymentsTotalEntries };
  if (Object.values(counts).some((n) => n !== N)) throw new Error(`counts differ: ${JSON.stringify(counts)}`);
  console.log(`campaign with ${N} entries of ${M} items each (seeded in ${seedSeconds} s)`);
  console.log(
    `settle:            ${settleSeconds} s   (raw read of the same entries + one write: ${rawSeconds} s, ratio ${figures.ratioSettleToRaw})`,
  );
  console.log(`settlement pages:  ${settlementPages.pages} pages of ≤1000 in ${settlementPagesSeconds} s`);
  console.log(`list all entries:  ${listSeconds} s (pages of 100)`);
  console.log(
    `settlement.csv:    ${csv.status} in ${csv.seconds} s, ${figures.csvMB} MB, ${csvRows} rows, download ${csv.downloadSeconds} s, RSS ${csv.rssBeforeMB} → peak ${csv.rssMB} MB ` +
      `(raw Query + one PutObject of the same bytes: ${rawExportSeconds} s, ratio ${figures.ratioCsvToRawExport})`,
  );
  console.log(
    `payments view:     ${paymentsPageSeconds} s for a page of 2000 with totals over all (${figures.paymentsPageMB} MB); ` +
      `payments.csv ${paymentsCsv.status} in ${paymentsCsv.seconds} s, ${figures.paymentsCsvMB} MB, peak RSS ${paymentsCsv.rssMB} MB`,
  );
  console.log(
    `largest response:  ${figures.largestResponseMB} MB (Lambda limit 6 MB)   peak RSS ${figures.peakRssMB} MB, peak heap ${figures.peakHeapMB} MB (${figures.heapBeforeMB} MB before settling)`,
  );
  console.log(JSON.stringify(figures));
  raw.destroy();
  s3.destroy();
  await s3Local?.stop();
  await local?.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
