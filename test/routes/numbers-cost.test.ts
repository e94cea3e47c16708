import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldCampaign, recordRefund } from '../../shared/numbers/index.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';

/**
 * What the member book and the numbers cost, as DynamoDB Local reports it with
 * ReturnConsumedCapacity (README "Community numbers and member book"): every request the code sends
 * asks for its consumed capacity, and the test sums it by what the request was (a member's fold
 * transaction, the campaign totals, a pickup's, a refund's, a share view's update, the summary
 * Query). DynamoDB Local reports a transaction as 2 units per KB of all its items together;
 * DynamoDB bills 2 WCU per KB of EACH item, so the printed `billedWcu` is 2 × the items written,
 * each checked to be under 1 KB here (a ConditionCheck is billed like a write).
 */
let h: Harness;
let owner: { token: string; userId: string };

interface Metered {
  command: string;
  /** what the request touched, for sorting it into its event */
  text: string;
  items: number;
  wcu: number;
  rcu: number;
}

const WRITES = new Set(['TransactWriteItemsCommand', 'UpdateItemCommand', 'PutItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);

/** Every request `fn` sends, with the capacity DynamoDB Local says it consumed. */
async function meter<T>(doc: DynamoDBDocumentClient, fn: () => Promise<T>): Promise<{ result: T; sent: Metered[] }> {
  const sent: Metered[] = [];
  const name = `meter-${Math.random().toString(36).slice(2)}`;
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, any>;
      input.ReturnConsumedCapacity = 'TOTAL';
      const out = await next(args);
      const consumed = (out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const list = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as Array<{
        CapacityUnits?: number;
        WriteCapacityUnits?: number;
        ReadCapacityUnits?: number;
      }>;
      const command = context.commandName as string;
      const units = list.reduce((s, c) => s + (c.CapacityUnits ?? 0), 0);
      sent.push({
        command,
        text: JSON.stringify(input),
        items: Array.isArray(input.TransactItems) ? input.TransactItems.length : 1,
        wcu: WRITES.has(command) ? units : 0,
        rcu: WRITES.has(command) ? 0 : units,
      });
      return out;
    },
    { step: 'initialize', name },
  );
  try {
    return { result: await fn(), sent };
  } finally {
    doc.middlewareStack.remove(name);
  }
}

const sum = (list: Metered[], f: (m: Metered) => number) => list.reduce((s, m) => s + f(m), 0);
const writes = (list: Metered[]) => list.filter((m) => WRITES.has(m.command));
/** What DynamoDB bills for writes of items under 1 KB each: 2 WCU per item of a transaction, 1 per plain write. */
const billed = (list: Metered[]) => sum(writes(list), (m) => (m.command === 'TransactWriteItemsCommand' ? 2 * m.items : 1));

beforeAll(async () => {
  h = await harness();
  owner = await h.login('ncost-owner', '团长');
});
afterAll(() => h.db.doc.destroy());

async function ok(method: string, path: string, token: string | undefined, status: number, body?: unknown) {
  const res = await h.call(method, path, { ...(token ? { token } : {}), ...(body !== undefined ? { body } : {}) });
  expect(res.status, `${method} ${path}: ${res.text.slice(0, 200)}`).toBe(status);
  return res;
}

const MEMBERS = 20;

describe('numbers costs', () => {
  it('per folded member, per pickup, per no-show, per refund, per share view, and the summary read', async () => {
    h.clock.set(T0);
    const communityId = (await ok('POST', '/communities', owner.token, 201, { name: '阳光花园' })).body.id;
    await ok('PUT', `/communities/${communityId}/points-rules`, owner.token, 200, {
      earn: { joinSucceeded: 10, paidOnTime: 0, pickedUp: 0, reviewed: 0, referral: 0 },
      spend: { enabled: false, fenPerPoint: 1, maxFenPerEntry: 0, maxPercentOfEntry: 0 },
      titles: [],
    });
    const c = await h.createCampaign(owner.token, {
      communityId,
      minParticipants: 1,
      items: [
        { name: '阳光玫瑰', unitPrice: 3990, stock: 1000 },
        { name: '苹果', unitPrice: 1000, stock: 1000 },
      ],
      pickupPoints: [{ name: '3号楼门卫室' }, { name: '北门' }],
    });
    const view = await meter(h.db.doc, () => h.call('GET', `/s/${c.shareCode}`, { headers: { accept: 'text/html' } }));
    expect(view.result.status).toBe(200);
    const viewWrites = writes(view.sent);
    const members = await Promise.all(Array.from({ length: MEMBERS }, (_, i) => h.login(`ncost-${i}`, `团友${i}`)));
    const entries: string[] = [];
    for (const [i, m] of members.entries())
      entries.push(
        (
          await ok('POST', `/campaigns/${c.id}/entries`, m.token, 201, {
            items: [
              { itemId: 'i1', qty: 1 + (i % 3) },
              { itemId: 'i2', qty: 1 },
            ],
            pickupPointId: i % 2 ? 'p1' : 'p2',
            note: '放门卫室就好，谢谢团长',
          })
        ).body.id,
      );
    await ok('POST', `/campaigns/${c.id}/close`, owner.token, 200);
    await ok('POST', `/campaigns/${c.id}/settle`, owner.token, 200);

    const fold = await meter(h.db.doc, () => foldCampaign(h.db, c.id));
    expect(fold.result.folded).toBe(MEMBERS);
    const memberTx = fold.sent.filter((m) => m.command === 'TransactWriteItemsCommand' && m.text.includes('FOLDED#'));
    const totalsTx = fold.sent.filter((m) => m.command === 'TransactWriteItemsCommand' && m.text.includes('"NUMBERS"'));
    expect(memberTx).toHaveLength(MEMBERS);
    expect(totalsTx).toHaveLength(1);

    const pickup = await meter(h.db.doc, () => ok('POST', `/campaigns/${c.id}/entries/${entries[0]}/pickup`, owner.token, 200));
    const pickupTx = pickup.sent.filter((m) => m.command === 'TransactWriteItemsCommand' && m.text.includes('FOLDED#'));
    expect(pickupTx).toHaveLength(1);

    const refund = await meter(h.db.doc, () => recordRefund(h.db, c.id, entries[1]!, 500, 'cost-refund'));
    expect(refund.result).toBe(true);

    const close = await meter(h.db.doc, () => ok('POST', `/campaigns/${c.id}/pickups/close`, owner.token, 200));
    expect(close.result.body.noShows).toBe(MEMBERS - 1);
    const noShowTx = close.sent.filter((m) => m.command === 'TransactWriteItemsCommand' && m.text.includes('noShowCounted'));
    expect(noShowTx).toHaveLength(MEMBERS - 1);

    const read = await meter(h.db.doc, () => ok('GET', `/communities/${communityId}/numbers?days=30`, owner.token, 200));
    const statsQueries = read.sent.filter((m) => m.command === 'QueryCommand' && m.text.includes('STATS#'));
    expect(statsQueries).toHaveLength(1);
    const campaignRead = await meter(h.db.doc, () => ok('GET', `/campaigns/${c.id}/numbers`, owner.token, 200));
    const numbersGets = campaignRead.sent.filter((m) => m.command === 'GetItemCommand' && m.text.includes('NUMBERS'));
    expect(numbersGets).toHaveLength(1);

    const figures = {
      perFoldedMember: {
        writes: memberTx.length / MEMBERS,
        items: sum(memberTx, (m) => m.items) / MEMBERS,
        localWcu: sum(memberTx, (m) => m.wcu) / MEMBERS,
        billedWcu: billed(memberTx) / MEMBERS,
        readsRcu: sum(fold.sent, (m) => m.rcu) / MEMBERS,
      },
      perCampaignTotals: { writes: 1, items: totalsTx[0]!.items, localWcu: totalsTx[0]!.wcu, billedWcu: billed(totalsTx) },
      perPickup: {
        items: pickupTx[0]!.items,
        localWcu: pickupTx[0]!.wcu,
        billedWcu: billed(pickupTx),
        routeBilledWcu: billed(pickup.sent),
      },
      perRefund: { writes: writes(refund.sent).length, localWcu: sum(refund.sent, (m) => m.wcu), billedWcu: billed(refund.sent) },
      perNoShow: {
        items: noShowTx[0]!.items,
        localWcu: sum(noShowTx, (m) => m.wcu) / noShowTx.length,
        billedWcu: billed(noShowTx) / noShowTx.length,
      },
      perShareView: { writes: viewWrites.length, wcu: sum(viewWrites, (m) => m.wcu) },
      summaryRead: { queries: statsQueries.length, rcu: statsQueries[0]!.rcu },
      campaignRead: { gets: numbersGets.length, rcu: numbersGets[0]!.rcu },
    };
    console.log(JSON.stringify(figures));

    // Every item these events write stays under 1 KB (what `billedWcu` assumes).
    const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
    const { keys } = await import('../../shared/table/index.js');
    const day = new Date(Date.parse(T0) + 8 * 3_600_000).toISOString().slice(0, 10);
    for (const key of [
      keys.foldedEntry(c.id, entries[1]!),
      keys.communityMember(communityId, members[1]!.userId),
      keys.campaignNumbers(c.id),
      keys.communityStatsTotal(communityId),
      keys.communityStatsDay(communityId, day),
      keys.communityStatsItems(communityId),
      keys.communityStatsPoints(communityId),
    ]) {
      const item = (await h.db.doc.send(new GetCommand({ TableName: h.tableName, Key: key }))).Item;
      expect(item, key.sk).toBeDefined();
      expect(Buffer.byteLength(JSON.stringify(item)), key.sk).toBeLessThan(1024);
    }

    // A member's fold: their marker, the pickup check of their entry, their book, their points event and totals.
    expect(figures.perFoldedMember.items).toBe(5);
    expect(figures.perFoldedMember.localWcu).toBeLessThanOrEqual(4);
    expect(figures.perFoldedMember.billedWcu).toBe(10);
    expect(figures.perFoldedMember.readsRcu).toBeLessThanOrEqual(3);
    // The campaign's totals: NUMBERS, TOTAL, the day, ITEMS, POINTS (the views moved into their day, the settle day here).
    expect(figures.perCampaignTotals.items).toBe(5);
    expect(figures.perCampaignTotals.localWcu).toBeLessThanOrEqual(4);
    // A pickup, a no-show, a refund: the marker, the campaign's, the community's, the day's numbers, the member book.
    expect(figures.perPickup.items).toBe(5);
    expect(figures.perPickup.billedWcu).toBe(10);
    expect(figures.perPickup.localWcu).toBeLessThanOrEqual(4);
    expect(figures.perNoShow.billedWcu).toBe(10);
    expect(figures.perRefund.writes).toBe(1);
    expect(figures.perRefund.billedWcu).toBe(10);
    // A share view: one UpdateItem of one small item.
    expect(figures.perShareView).toEqual({ writes: 1, wcu: 1 });
    // The summary: one eventually consistent Query of a few small items (0.5 RCU per 4 KB).
    expect(figures.summaryRead.rcu).toBeLessThanOrEqual(1);
    expect(figures.campaignRead.rcu).toBeLessThanOrEqual(1);
  });
});
