import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type CampaignDefinition, deliveredLines, type EntryLine, type Shortage } from '../domain/index.js';
import { InvalidStateError, NotFoundError } from '../errors.js';
import type { DbContext, EntryRecord, TransactItem } from '../table/index.js';
import { conditionFailure, entryIds, isLookupableId, keys } from '../table/index.js';
import { allEntries } from './entries.js';

/**
 * Pickup check (核销): after settlement, the leader or a helper ticks an entry off when its goods
 * are handed out. Two attributes on the entry item, written with a conditional update (no read
 * first): `pickedUpAt` and `pickedUpBy` (the user id of who ticked it). The entry's `version` is
 * not bumped: the list is frozen after settlement and these are not the member's fields.
 */
export interface PickupFields {
  pickedUpAt?: string;
  pickedUpBy?: string;
}

export type PickupEntryRecord = EntryRecord & PickupFields;

/** How long a pickup mark may be undone (a mis-tap at the counter); afterwards it stands. */
export const PICKUP_UNDO_WINDOW_MS = 10 * 60 * 1000;

export interface PickupMark {
  entryId: string;
  seq: number;
  pickedUp: boolean;
  pickedUpAt: string | null;
  pickedUpBy: string | null;
}

function markOf(r: PickupEntryRecord): PickupMark {
  return {
    entryId: r.id,
    seq: r.seq,
    pickedUp: r.pickedUpAt !== undefined,
    pickedUpAt: r.pickedUpAt ?? null,
    pickedUpBy: r.pickedUpBy ?? null,
  };
}

/** Where an entry id says its line is; an id that does not parse names nothing (404). */
function seqOf(campaignId: string, entryId: string): number {
  const parsed = isLookupableId(entryId) ? entryIds.parse(entryId) : null;
  if (!parsed) throw new NotFoundError(`No entry ${entryId} in campaign ${campaignId}`);
  return parsed.seq;
}

/** The line at the id's number may be another entry (a guessed token): that is "not found" too. */
function rejectNonEntry(campaignId: string, entryId: string, old: Record<string, unknown> | undefined): never {
  if (old?.type !== 'entry' || old.id !== entryId) throw new NotFoundError(`No entry ${entryId} in campaign ${campaignId}`);
  throw new InvalidStateError('Only active entries can be picked up', { status: old.status });
}

/**
 * Mark an active entry picked up. Idempotent: marking it again answers the first mark (same time,
 * same person), whoever asks.
 */
export async function markPickedUp(db: DbContext, campaignId: string, entryId: string, byUserId: string): Promise<PickupMark> {
  return (await tickOff(db, campaignId, entryId, byUserId)).mark;
}

/** The same, saying whether this call made the mark or found an earlier one (a code scanned twice). */
export async function tickOff(
  db: DbContext,
  campaignId: string,
  entryId: string,
  byUserId: string,
): Promise<{ mark: PickupMark; repeated: boolean; userId: string }> {
  const seq = seqOf(campaignId, entryId);
  try {
    const out = await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.entry(campaignId, seq),
        UpdateExpression: 'SET #at = :now, #by = :by',
        ConditionExpression:
          '#id = :id AND #type = :entry AND #status = :active AND attribute_not_exists(#void) AND attribute_not_exists(#at)',
        ExpressionAttributeNames: {
          '#id': 'id',
          '#at': 'pickedUpAt',
          '#by': 'pickedUpBy',
          '#type': 'type',
          '#status': 'status',
          '#void': 'void',
        },
        ExpressionAttributeValues: {
          ':id': entryId,
          ':now': db.clock.now().toISOString(),
          ':by': byUserId,
          ':entry': 'entry',
          ':active': 'active',
        },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    const record = out.Attributes as PickupEntryRecord;
    return { mark: markOf(record), repeated: false, userId: record.userId };
  } catch (err) {
    const failure = conditionFailure(err);
    if (!failure) throw err;
    const old = failure.item as PickupEntryRecord | undefined;
    if (old?.id === entryId && isPickable(old) && old.pickedUpAt !== undefined)
      return { mark: markOf(old), repeated: true, userId: old.userId };
    return rejectNonEntry(campaignId, entryId, failure.item);
  }
}

/** An active line of a real entry (not a tombstone or a crashed join's void line): what can be handed out. */
function isPickable(item: PickupEntryRecord | undefined): item is PickupEntryRecord {
  return item !== undefined && (item as unknown as Record<string, unknown>).type === 'entry' && item.status === 'active' && !item.void;
}

/**
 * Undo a mark within PICKUP_UNDO_WINDOW_MS of it (by the injectable clock); later it is 409
 * INVALID_STATE. Undoing an entry that is not marked changes nothing.
 */
export async function undoPickedUp(db: DbContext, campaignId: string, entryId: string): Promise<PickupMark> {
  const now = db.clock.now();
  const cutoff = new Date(now.getTime() - PICKUP_UNDO_WINDOW_MS).toISOString();
  const seq = seqOf(campaignId, entryId);
  try {
    const out = await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.entry(campaignId, seq),
        UpdateExpression: 'REMOVE #at, #by',
        ConditionExpression: '#id = :id AND #type = :entry AND #status = :active AND attribute_exists(#at) AND #at > :cutoff',
        ExpressionAttributeNames: { '#id': 'id', '#at': 'pickedUpAt', '#by': 'pickedUpBy', '#type': 'type', '#status': 'status' },
        ExpressionAttributeValues: { ':id': entryId, ':cutoff': cutoff, ':entry': 'entry', ':active': 'active' },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return markOf(out.Attributes as PickupEntryRecord);
  } catch (err) {
    const failure = conditionFailure(err);
    if (!failure) throw err;
    const old = failure.item as PickupEntryRecord | undefined;
    if (old?.id === entryId && isPickable(old)) {
      if (old.pickedUpAt === undefined) return markOf(old);
      throw new InvalidStateError(`A pickup can only be undone within ${PICKUP_UNDO_WINDOW_MS / 60_000} minutes`, {
        pickedUpAt: old.pickedUpAt,
      });
    }
    return rejectNonEntry(campaignId, entryId, failure.item);
  }
}

/**
 * Pure: the undo of one particular mark (made at `pickedUpAt`) as a transaction write, for a use
 * case that undoes something else with it (the points the pickup earned). Fails when the mark is
 * another one by now, or older than PICKUP_UNDO_WINDOW_MS at `now`; undoPickedUp then says why.
 */
export function undoMarkWrite(tableName: string, campaignId: string, entryId: string, pickedUpAt: string, now: Date): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: keys.entry(campaignId, seqOf(campaignId, entryId)),
      UpdateExpression: 'REMOVE #at, #by',
      ConditionExpression: '#id = :id AND #type = :entry AND #status = :active AND #at = :mark AND #at > :cutoff',
      ExpressionAttributeNames: { '#id': 'id', '#at': 'pickedUpAt', '#by': 'pickedUpBy', '#type': 'type', '#status': 'status' },
      ExpressionAttributeValues: {
        ':id': entryId,
        ':mark': pickedUpAt,
        ':cutoff': new Date(now.getTime() - PICKUP_UNDO_WINDOW_MS).toISOString(),
        ':entry': 'entry',
        ':active': 'active',
      },
    },
  };
}

export interface PickupLine {
  entryId: string;
  seq: number;
  userId: string;
  nickname: string;
  phone: string | null;
  note: string | null;
  /** what to hand out: after a shortage the delivered units, with `ordered` where they differ */
  items: Array<EntryLine & { ordered?: number }>;
  pickedUp: boolean;
  pickedUpAt: string | null;
  pickedUpBy: string | null;
}

export interface PickupPointList {
  pickupPointId: string | null;
  name: string | null;
  pickedUp: number;
  waiting: number;
  entries: PickupLine[];
}

/**
 * The settled campaign's active entries grouped by pickup point (in the definition's order, then
 * entries without a point), each in 接龙 order, with picked-up / waiting counts. One pass over the
 * frozen list.
 */
export async function listPickups(
  db: DbContext,
  def: CampaignDefinition,
  pickupPointId?: string,
  /** after a shortage each entry is handed what it gets, not what it ordered */
  shortage?: Shortage,
): Promise<PickupPointList[]> {
  const groups = new Map<string | null, PickupPointList>();
  for (const p of def.pickupPoints) groups.set(p.id, { pickupPointId: p.id, name: p.name, pickedUp: 0, waiting: 0, entries: [] });
  for await (const raw of allEntries(db, def.id)) {
    const e = raw as PickupEntryRecord;
    if (e.status !== 'active' || e.void) continue;
    const point = e.pickupPointId ?? null;
    if (pickupPointId !== undefined && point !== pickupPointId) continue;
    let group = groups.get(point);
    if (!group) {
      group = { pickupPointId: point, name: null, pickedUp: 0, waiting: 0, entries: [] };
      groups.set(point, group);
    }
    const mark = markOf(e);
    if (mark.pickedUp) group.pickedUp++;
    else group.waiting++;
    group.entries.push({
      entryId: e.id,
      seq: e.seq,
      userId: e.userId,
      nickname: e.nickname,
      phone: e.phone ?? null,
      note: e.note ?? null,
      items: deliveredLines(shortage, e.seq, e.items),
      pickedUp: mark.pickedUp,
      pickedUpAt: mark.pickedUpAt,
      pickedUpBy: mark.pickedUpBy,
    });
  }
  const lists = [...groups.values()];
  return pickupPointId === undefined
    ? lists.filter((g) => g.pickupPointId !== null || g.entries.length > 0)
    : lists.filter((g) => g.pickupPointId === pickupPointId);
}
