import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '../errors.js';
import type { DbContext, EntryRecord } from '../table/index.js';
import { entryIds, entrySortKey, GSI_BY_OWNER, indexKeys, isLookupableId, JOIN_RING_SIZE, keys } from '../table/index.js';
import { ringPosition, seqAtRingPosition } from './commands.js';

/**
 * Reading entries by what names them. An entry is stored at its number (`ENTRY#<seq>`); an entry
 * id `e<seq>_<token>` says which number, and a claim knows only its join's token (it is written
 * before the number exists), so a claim's entry is looked up by token (locateJoin).
 */

/**
 * The entry an id names, or null. The id says which number to read (`e<seq>_<token>`); the
 * stored id must be the whole id, so an id with a guessed token (or anything that does not parse)
 * is "not found" and costs at most one read.
 */
export async function getEntryRecord(db: DbContext, campaignId: string, entryId: string): Promise<EntryRecord | null> {
  if (!isLookupableId(entryId)) return null;
  const parsed = entryIds.parse(entryId);
  if (!parsed) return null;
  const item = await lineAt(db, campaignId, parsed.seq);
  return item && item.id === entryId ? item : null;
}

/** The line stored at number `seq` (an entry or a void line; never a tombstone), or null. */
export async function lineAt(db: DbContext, campaignId: string, seq: number): Promise<EntryRecord | null> {
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.entry(campaignId, seq), ConsistentRead: true }));
  const item = out.Item as (EntryRecord & { type?: string }) | undefined;
  return item && item.type === 'entry' ? item : null;
}

export async function requireEntry(db: DbContext, campaignId: string, entryId: string): Promise<EntryRecord> {
  const record = await getEntryRecord(db, campaignId, entryId);
  if (!record) throw new NotFoundError(`No entry ${entryId} in campaign ${campaignId}`);
  return record;
}

/** One join as a claim or an Idempotency-Key record knows it, before or after it has a number. */
export interface JoinRef {
  userId: string;
  token: string;
  /** when it claimed: also its entry's createdAt */
  createdAt: string;
}

/** Where a join got to, as far as the table shows. */
export type JoinWhereabouts =
  | { kind: 'entry'; entry: EntryRecord }
  /** numbered (the ring knows it) but no line at its number yet */
  | { kind: 'numbered'; seq: number }
  /** numbered, but its number holds a tombstone or a void line: the join was given up */
  | { kind: 'voided'; seq: number }
  /** not numbered yet, or numbered so long ago that the ring forgot it and it wrote no entry */
  | { kind: 'unknown' };

/**
 * Find a join's entry from its token, cheapest source first: the STATE ring (the last 32 joins:
 * number → one Get), then gsi1 (the user's entries made at the claim's time; eventually
 * consistent, so each hit is re-read), then, with `deep`, the campaign's list itself filtered by
 * user and time (strongly consistent; for gsi1 lag and erased users, whose entries left gsi1).
 * The ring holds every one of the last 32 numbers, so a join it does not know has no number or an
 * older one: the searches skip the newest 32 lines, and a campaign of ≤ 32 joins needs none.
 */
export async function locateJoin(db: DbContext, campaignId: string, ref: JoinRef, deep = true): Promise<JoinWhereabouts> {
  const state = (await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.campaignState(campaignId), ConsistentRead: true })))
    .Item;
  const currentSeq = (state?.seq as number | undefined) ?? 0;
  const position = ringPosition(state, ref.token);
  if (position >= 0) {
    const seq = seqAtRingPosition(currentSeq, position);
    const stored = (await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.entry(campaignId, seq), ConsistentRead: true })))
      .Item;
    if (!stored) return { kind: 'numbered', seq };
    if (stored.type === 'entry' && stored.id === entryIds.of(seq, ref.token)) return { kind: 'entry', entry: stored as EntryRecord };
    return { kind: 'voided', seq };
  }
  const olderThanRing = currentSeq - JOIN_RING_SIZE;
  if (olderThanRing < 1) return { kind: 'unknown' };
  const entry = (await findInOwnerIndex(db, campaignId, ref)) ?? (deep ? await findInList(db, campaignId, ref, olderThanRing) : null);
  return entry ? { kind: 'entry', entry } : { kind: 'unknown' };
}

const isEntryOf = (item: Record<string, unknown>, ref: JoinRef) => entryIds.parse(String(item.id))?.token === ref.token;

async function findInOwnerIndex(db: DbContext, campaignId: string, ref: JoinRef): Promise<EntryRecord | null> {
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: GSI_BY_OWNER.name,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :at)',
      FilterExpression: '#campaignId = :campaignId',
      ExpressionAttributeNames: { '#pk': GSI_BY_OWNER.partitionKey, '#sk': GSI_BY_OWNER.sortKey, '#campaignId': 'campaignId' },
      ExpressionAttributeValues: {
        ':pk': indexKeys.participantPartition(ref.userId),
        ':at': `${ref.createdAt}#`,
        ':campaignId': campaignId,
      },
    }),
  );
  const hit = (out.Items ?? []).find((item) => isEntryOf(item, ref));
  return hit ? getEntryRecord(db, campaignId, hit.id as string) : null;
}

/** Lines 1..`lastSeq` of the campaign, filtered to the join's user and time. */
async function findInList(db: DbContext, campaignId: string, ref: JoinRef, lastSeq: number): Promise<EntryRecord | null> {
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
        FilterExpression: '#userId = :userId AND #createdAt = :createdAt',
        ExpressionAttributeNames: { '#userId': 'userId', '#createdAt': 'createdAt' },
        ExpressionAttributeValues: {
          ':pk': keys.campaignPartition(campaignId),
          ':first': entrySortKey(1),
          ':last': entrySortKey(lastSeq),
          ':userId': ref.userId,
          ':createdAt': ref.createdAt,
        },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    const hit = (out.Items ?? []).find((item) => item.type === 'entry' && isEntryOf(item, ref));
    if (hit) return hit as EntryRecord;
    start = out.LastEvaluatedKey;
  } while (start);
  return null;
}
