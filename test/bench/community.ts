/**
 * npm run bench:community [-- --members 500 --concurrency 32]
 *
 * What a community costs (issue 14), on DynamoDB Local (in memory; or DYNAMODB_ENDPOINT), in process
 * through the real app: M members joining one community at once (the standing transaction: the
 * member item and #META's counts), beside the same two-item transaction sent straight through the
 * SDK at the same concurrency; then what each other community operation costs in requests and
 * capacity (ReturnConsumedCapacity TOTAL on every request the app sends): accepting a team
 * invitation, approving, a team member's campaign role check (a staff list read), the community
 * page. Ends with one JSON line.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createApp } from '../../functions/app.js';
import { issueToken } from '../../shared/auth/tokens.js';
import { CampaignCache, type CampaignDb } from '../../shared/campaigns/cache.js';
import { systemClock } from '../../shared/clock.js';
import { startDynamoDbLocal } from '../../shared/local/dynamodb-local.js';
import { createLogger } from '../../shared/logger.js';
import { disabledMoney } from '../../shared/money/money.js';
import { createDocumentClient } from '../../shared/table/client.js';
import { ensureTable } from '../../shared/table/create-table.js';
import { keys } from '../../shared/table/keys.js';
import { runPool } from './pool.js';

const { values } = parseArgs({ options: { members: { type: 'string', default: '500' }, concurrency: { type: 'string', default: '32' } } });
const M = Number(values.members);
const C = Number(values.concurrency);

interface Tally {
  requests: number;
  reads: number;
  writes: number;
  rcu: number;
  wcu: number;
}
const READS = new Set(['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand']);
const empty = (): Tally => ({ requests: 0, reads: 0, writes: 0, rcu: 0, wcu: 0 });

async function main() {
  const local = process.env.DYNAMODB_ENDPOINT ? null : await startDynamoDbLocal();
  const endpoint = process.env.DYNAMODB_ENDPOINT ?? local!.endpoint;
  const tableName = `bench_${randomUUID().slice(0, 8)}`;
  const raw = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTable(raw, tableName);
  const doc = createDocumentClient({ region: 'local', endpoint });
  let tally = empty();
  // Every request the app sends asks for its consumed capacity, and is counted.
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      const out = await next(args);
      const name = context.commandName ?? '?';
      const units = ([] as ConsumedCapacity[])
        .concat(((out.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity ?? []) as ConsumedCapacity[])
        .reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      tally.requests++;
      if (READS.has(name)) {
        tally.reads++;
        tally.rcu += units;
      } else {
        tally.writes++;
        tally.wcu += units;
      }
      return out;
    },
    { step: 'initialize', name: 'capacity' },
  );
  const db: CampaignDb = { doc, tableName, clock: systemClock, cache: new CampaignCache() };
  const tokens = { secret: 'bench-secret-0123456789abcdef', issuer: 'tuangou-api', audience: 'tuangou-miniprogram', ttlSeconds: 3600 };
  const app = createApp({ db, tokens, devAuth: false, logger: createLogger('silent'), money: disabledMoney });
  const token = (id: string) => issueToken(tokens, { id, nickname: `邻居${id}` });
  const call = async (method: string, path: string, bearer: string, body?: unknown) => {
    const res = await app.request(path, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as any };
  };
  const measure = async (fn: () => Promise<unknown>) => {
    tally = empty();
    await fn();
    return { ...tally, rcu: round(tally.rcu), wcu: round(tally.wcu) };
  };

  const owner = await token('u_owner');
  const community = (await call('POST', '/communities', owner, { name: '压测 邻里团', joinRule: 'approval' })).body;
  const members = await Promise.all(Array.from({ length: M }, (_, i) => token(`u_m${i}`)));

  // Joins, in process through the app, C at a time.
  tally = empty();
  const joined = await runPool(M, C, async (i) => (await call('POST', `/communities/${community.id}/members`, members[i]!, {})).status);
  const joinTally = { ...tally };
  const failed = joined.results.filter((s) => s !== 200).length;

  // The same transaction straight through the SDK: the member item and #META's count.
  const rawDoc = createDocumentClient({ region: 'local', endpoint });
  const rawCommunity = (await call('POST', '/communities', owner, { name: 'raw' })).body;
  const rawRun = await runPool(M, C, async (i) => {
    const now = new Date().toISOString();
    await rawDoc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName,
              Item: {
                ...keys.communityMember(rawCommunity.id, `u_r${i}`),
                status: 'pending',
                role: 'member',
                following: true,
                joinedAt: now,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Update: {
              TableName: tableName,
              Key: keys.communityMeta(rawCommunity.id),
              UpdateExpression: 'ADD n_pending :one',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
        ],
      }),
    );
    return 'ok';
  });

  // One of each other operation, alone.
  const helper = await token('u_helper');
  const invite = await measure(() => call('POST', `/communities/${community.id}/invitations`, owner, { role: 'helper' }));
  const link = (await call('POST', `/communities/${community.id}/invitations`, owner, { role: 'helper' })).body;
  const accept = await measure(() => call('POST', `${link.path}/accept`, helper));
  const approve = await measure(() => call('POST', `/communities/${community.id}/members/u_m0/approve`, owner));
  const campaign = (
    await call('POST', '/campaigns', owner, {
      title: '压测 团购',
      closesAt: new Date(Date.now() + 3600_000).toISOString(),
      items: [{ name: '苹果', unitPrice: 990, stock: 100 }],
      communityId: community.id,
    })
  ).body;
  await call('GET', `/campaigns/${campaign.id}`, owner); // warm the campaign read
  const staffList = await measure(() => call('GET', `/campaigns/${campaign.id}/entries`, helper));
  const page = await measure(() => call('GET', `/communities/${community.id}`, owner));
  const view = (await call('GET', `/communities/${community.id}`, owner)).body;

  const result = {
    bench: 'community',
    members: M,
    concurrency: C,
    joins: { perSecond: round(joined.perSecond), p50Ms: round(joined.p50), p99Ms: round(joined.p99), failed },
    raw: { perSecond: round(rawRun.perSecond), p50Ms: round(rawRun.p50), p99Ms: round(rawRun.p99) },
    ratio: round(joined.perSecond / rawRun.perSecond),
    perJoin: {
      requests: round(joinTally.requests / M),
      reads: round(joinTally.reads / M),
      writes: round(joinTally.writes / M),
      rcu: round(joinTally.rcu / M),
      wcu: round(joinTally.wcu / M),
    },
    countsMatch: view.staff.counts.pending === M - 1 && view.staff.counts.active === 3,
    invite,
    accept,
    approve,
    staffListRead: staffList,
    communityPage: page,
  };
  console.log(
    `joins: ${result.joins.perSecond}/s vs raw ${result.raw.perSecond}/s (ratio ${result.ratio}); per join ${JSON.stringify(result.perJoin)}`,
  );
  console.log(JSON.stringify(result));
  await local?.stop();
  process.exit(0);
}

const round = (n: number) => Math.round(n * 100) / 100;

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
