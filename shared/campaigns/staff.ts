import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DbContext } from '../table/index.js';
import { batchGetAll, conditionFailure, isLookupableId, keys, queryCampaignPrefix } from '../table/index.js';

/**
 * Helpers (团长助手) of a campaign: items `CAMPAIGN#<id>` / `HELPER#<userId>` in the campaign's
 * item collection. They hold ids and times only, never a nickname: names are read from the user
 * items when listed, so erasing a user (privacy.ts) leaves no copy of the name here.
 */
export interface HelperRecord {
  campaignId: string;
  userId: string;
  addedBy: string;
  addedAt: string;
}

export interface Helper extends HelperRecord {
  /** the helper's current profile nickname ('' when the user erased their data) */
  nickname: string;
}

export async function isHelper(db: DbContext, campaignId: string, userId: string): Promise<boolean> {
  if (!isLookupableId(userId)) return false;
  const out = await db.doc.send(
    new GetCommand({
      TableName: db.tableName,
      Key: keys.helper(campaignId, userId),
      ProjectionExpression: '#u',
      ExpressionAttributeNames: { '#u': 'userId' },
    }),
  );
  return out.Item !== undefined;
}

/** Idempotent: adding a helper twice keeps the first record (and its `addedAt`). */
export async function addHelper(db: DbContext, campaignId: string, userId: string, addedBy: string): Promise<HelperRecord> {
  const record: HelperRecord = { campaignId, userId, addedBy, addedAt: db.clock.now().toISOString() };
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...keys.helper(campaignId, userId), type: 'helper', ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return record;
  } catch (err) {
    const failure = conditionFailure(err);
    if (!failure?.item) throw err;
    const old = failure.item as unknown as HelperRecord;
    return { campaignId, userId, addedBy: old.addedBy, addedAt: old.addedAt };
  }
}

/** Idempotent: removing someone who is not a helper changes nothing. */
export async function removeHelper(db: DbContext, campaignId: string, userId: string): Promise<void> {
  if (!isLookupableId(userId)) return; // no such helper can exist
  await db.doc.send(new DeleteCommand({ TableName: db.tableName, Key: keys.helper(campaignId, userId) }));
}

/** Every helper of a campaign, oldest first, with their current nicknames (one BatchGet of the user items). */
export async function listHelpers(db: DbContext, campaignId: string): Promise<Helper[]> {
  const records: HelperRecord[] = [];
  for await (const item of queryCampaignPrefix(db, keys.campaignPartition(campaignId), keys.helperPrefix())) {
    records.push({ campaignId, userId: item.userId as string, addedBy: item.addedBy as string, addedAt: item.addedAt as string });
  }
  const names = await profileNicknames(
    db,
    records.map((r) => r.userId),
  );
  return records
    .map((r) => ({ ...r, nickname: names.get(r.userId) ?? '' }))
    .sort((a, b) => a.addedAt.localeCompare(b.addedAt) || a.userId.localeCompare(b.userId));
}

/** Current profile nicknames of some users (one BatchGet); an erased user has none. Also for the list of blocks. */
export async function profileNicknames(db: DbContext, userIds: string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const items = await batchGetAll(
    db,
    userIds.map((id) => keys.user(id)),
    { projection: '#id, #nickname', names: { '#id': 'id', '#nickname': 'nickname' } },
  );
  for (const item of items) if (typeof item.nickname === 'string') names.set(String(item.id), item.nickname);
  return names;
}
