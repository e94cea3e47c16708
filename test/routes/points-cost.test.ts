import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pointsEarnWrites, pointsSpendWrites } from '../../shared/points/index.js';
import type { TransactItem } from '../../shared/table/index.js';
import { keys } from '../../shared/table/index.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';

/**
 * What points cost, as DynamoDB Local reports it (README "Points"): an event is 2 small items (DynamoDB
 * bills a transactional write 2 WCU per KB of each: 4 WCU), and the titles map adds its size in KB
 * (× 2 transactional) only when a member crosses a threshold. The list's titles read is one
 * eventually consistent GetItem: 0.5 RCU per 4 KB of the map.
 */
let h: Harness;
const ladder = [
  { minPoints: 10, title: '团友' },
  { minPoints: 100, title: '铁杆团友' },
];

beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.db.doc.destroy());

async function wcu(writes: TransactItem[]): Promise<number> {
  const out = await h.db.doc.send(new TransactWriteCommand({ TransactItems: writes, ReturnConsumedCapacity: 'TOTAL' }));
  return (out.ConsumedCapacity ?? []).reduce((s, c) => s + (c.WriteCapacityUnits ?? c.CapacityUnits ?? 0), 0);
}

const event = (userId: string, ref: string, points: number) => ({
  communityId: 'm_cost',
  userId,
  ref,
  points,
  reason: 'joinSucceeded',
  at: T0,
  campaignId: 'c_cost',
  entryId: 'e1_cost',
});

describe('points costs', () => {
  it('per event, per crossing, and the list read', async () => {
    const members = 2000;
    const titles = Object.fromEntries(Array.from({ length: members }, (_, i) => [`u_${String(i).padStart(24, '0')}`, '铁杆团友']));
    await h.db.doc.send(new PutCommand({ TableName: h.tableName, Item: { ...keys.pointsTitles('m_cost'), type: 'pointsTitles', titles } }));

    const earn = await wcu(pointsEarnWrites(h.tableName, event('u_a', 'join:1', 5), { before: null, titles: [] }));
    const earnNoCrossing = await wcu(
      pointsEarnWrites(h.tableName, event('u_a', 'join:2', 1), {
        before: { earned: 5, spent: 0, reversed: 0, balance: 5 },
        titles: ladder,
      }),
    );
    const crossing = await wcu(
      pointsEarnWrites(h.tableName, event('u_a', 'join:3', 10), {
        before: { earned: 6, spent: 0, reversed: 0, balance: 6 },
        titles: ladder,
      }),
    );
    const spend = await wcu(
      pointsSpendWrites(h.tableName, event('u_a', 'hold:1', 3), { before: { earned: 16, spent: 0, reversed: 0, balance: 16 }, titles: [] }),
    );
    const read = await h.db.doc.send(
      new GetCommand({
        TableName: h.tableName,
        Key: keys.pointsTitles('m_cost'),
        ProjectionExpression: 'titles',
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    const listRead = read.ConsumedCapacity?.CapacityUnits ?? 0;
    const mapKb = Buffer.byteLength(JSON.stringify(titles)) / 1024;
    console.log(JSON.stringify({ earn, earnNoCrossing, crossing, spend, listRead, members, mapKb: Math.round(mapKb) }));
    // Two items under 1 KB each (DynamoDB Local reports 1 unit per item; DynamoDB bills a
    // transactional write at 2 WCU per KB: 4 WCU an event).
    expect(earn).toBe(2);
    expect(earnNoCrossing).toBe(2);
    expect(spend).toBe(2);
    // A crossing also rewrites the titles map: units by its size in KB.
    expect(crossing).toBeGreaterThan(2 + mapKb);
    expect(listRead).toBeGreaterThan(0);
    expect(listRead).toBeLessThanOrEqual(Math.ceil(mapKb / 4) / 2 + 1);
  });
});
