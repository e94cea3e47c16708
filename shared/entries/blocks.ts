import { DeleteCommand, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DbContext, EntryRecord } from '../table/index.js';
import { cancelledTransaction, isLookupableId, keys, queryCampaignPrefix } from '../table/index.js';
import { locateJoin } from './lookup.js';
import { heldSlots } from './slots.js';

/**
 * Members blocked from a campaign by its leader or a helper. A block is two items written in one
 * transaction: the flag `blockedAt` on the member's claim (`MEMBER#<userId>`), which the join's
 * claim write already conditions on (commands.ts claimMember), so the check costs the join path no
 * request; and `BLOCK#<userId>`, so staff can list blocks without reading every claim.
 */
export interface BlockRecord {
  campaignId: string;
  userId: string;
  blockedBy: string;
  blockedAt: string;
}

/** Idempotent: blocking twice keeps the first block (and its `blockedAt`). */
export async function blockMember(db: DbContext, campaignId: string, userId: string, blockedBy: string): Promise<BlockRecord> {
  const record: BlockRecord = { campaignId, userId, blockedBy, blockedAt: db.clock.now().toISOString() };
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            // Creates the claim item when the member never joined: a claim without `state` is a free slot.
            Update: {
              TableName: db.tableName,
              Key: keys.member(campaignId, userId),
              UpdateExpression:
                'SET #blockedAt = :at, #blockedBy = :by, #type = if_not_exists(#type, :member), #userId = if_not_exists(#userId, :userId)',
              ExpressionAttributeNames: { '#blockedAt': 'blockedAt', '#blockedBy': 'blockedBy', '#type': 'type', '#userId': 'userId' },
              ExpressionAttributeValues: { ':at': record.blockedAt, ':by': blockedBy, ':member': 'member', ':userId': userId },
            },
          },
          {
            Put: {
              TableName: db.tableName,
              Item: { ...keys.block(campaignId, userId), type: 'block', ...record },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
    return record;
  } catch (err) {
    if (cancelledTransaction(err)?.reasons[1]?.code !== 'ConditionalCheckFailed') throw err;
    const old = (await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.block(campaignId, userId), ConsistentRead: true })))
      .Item as BlockRecord | undefined;
    return old ? { campaignId, userId, blockedBy: old.blockedBy, blockedAt: old.blockedAt } : record;
  }
}

/** Idempotent: unblocking someone who is not blocked changes nothing. The claim keeps its other fields. */
export async function unblockMember(db: DbContext, campaignId: string, userId: string): Promise<void> {
  if (!isLookupableId(userId)) return; // no such block can exist
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: db.tableName,
              Key: keys.member(campaignId, userId),
              UpdateExpression: 'REMOVE #blockedAt, #blockedBy',
              // Never create a claim item just to remove a flag from it.
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#blockedAt': 'blockedAt', '#blockedBy': 'blockedBy' },
            },
          },
          { Delete: { TableName: db.tableName, Key: keys.block(campaignId, userId) } },
        ],
      }),
    );
  } catch (err) {
    if (cancelledTransaction(err)?.reasons[0]?.code !== 'ConditionalCheckFailed') throw err;
    // No claim item: at most a stray list item is left; remove it.
    await db.doc.send(new DeleteCommand({ TableName: db.tableName, Key: keys.block(campaignId, userId) }));
  }
}

/** Every block of a campaign, oldest first. */
export async function listBlocks(db: DbContext, campaignId: string): Promise<BlockRecord[]> {
  const records: BlockRecord[] = [];
  for await (const item of queryCampaignPrefix(db, keys.campaignPartition(campaignId), keys.blockPrefix())) {
    records.push({ campaignId, userId: item.userId as string, blockedBy: item.blockedBy as string, blockedAt: item.blockedAt as string });
  }
  return records.sort((a, b) => a.blockedAt.localeCompare(b.blockedAt) || a.userId.localeCompare(b.userId));
}

/**
 * The member's entries in the campaign that still hold stock (active, or pending payment), one per
 * held slot of their claim (slots.ts; one at most unless the campaign allows household entries),
 * in slot order.
 */
export async function heldEntriesOf(db: DbContext, campaignId: string, userId: string): Promise<EntryRecord[]> {
  if (!isLookupableId(userId)) return [];
  const claim = (await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.member(campaignId, userId), ConsistentRead: true })))
    .Item;
  const entries: EntryRecord[] = [];
  for (const { claim: held } of claim ? heldSlots(claim) : []) {
    if (!held.createdAt) continue;
    const where = await locateJoin(db, campaignId, { userId, token: held.token, createdAt: held.createdAt });
    if (where.kind !== 'entry') continue; // a join still in flight (it claimed before the block): nothing to cancel yet
    if (where.entry.status === 'active' || where.entry.status === 'pending_payment') entries.push(where.entry);
  }
  return entries;
}
