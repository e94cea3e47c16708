import { BatchWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { putEntry } from '../../shared/entries/index.js';
import { entryIds, keys } from '../../shared/table/index.js';
import type { Harness } from './harness.js';

/** What seeding needs of a harness: also built by hand by the benches (test/bench/read.ts). */
export type SeedTarget = Pick<Harness, 'tableName'> & { db: Pick<Harness['db'], 'doc'>; clock: Pick<Harness['clock'], 'now'> };

/**
 * Active one-unit entries of item i1 (unlimited stock: no `remaining` counter to keep) written as
 * joins write them, each with a phone, then counters that match: for a list of many lines where
 * only reading it is under test (N joins over HTTP take seconds). Numbered 1..N in order.
 */
export async function seedEntries(h: SeedTarget, campaign: { id: string; title: string }, nicknames: string[]): Promise<void> {
  const now = h.clock.now().toISOString();
  const records = nicknames.map((nickname, i) => {
    const seq = i + 1;
    return putEntry(h.tableName, {
      ...{ id: entryIds.of(seq, `seed${seq}`), campaignId: campaign.id, campaignTitle: campaign.title, seq, userId: `u_seed${seq}` },
      ...{ nickname, items: [{ itemId: 'i1', qty: 1 }], note: null, pickupPointId: null, phone: `1380000${String(seq).padStart(4, '0')}` },
      ...{ status: 'active' as const, createdAt: now, updatedAt: now, version: 1 },
    }).Item!;
  });
  for (let i = 0; i < records.length; i += 25) {
    let batch = records.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (batch.length) {
      const out = await h.db.doc.send(new BatchWriteCommand({ RequestItems: { [h.tableName]: batch } }));
      batch = (out.UnprocessedItems?.[h.tableName] ?? []) as typeof batch;
    }
  }
  await h.db.doc.send(
    new UpdateCommand({
      TableName: h.tableName,
      Key: keys.campaignState(campaign.id),
      UpdateExpression: 'SET #seq = :n, #participants = :n, #sold = :sold',
      ExpressionAttributeNames: { '#seq': 'seq', '#participants': 'participants', '#sold': 'sold' },
      ExpressionAttributeValues: { ':n': nicknames.length, ':sold': { i1: nicknames.length } },
    }),
  );
}
