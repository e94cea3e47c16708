import { createHash } from 'node:crypto';
import type { PutCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { CampaignDefinition } from '../domain/index.js';
import type { EntryRecord, MemberRecord } from '../table/index.js';
import { entryIds, GSI_DUE, indexKeys, JOIN_RING_SIZE, keys, ringSlot } from '../table/index.js';
import { type SlotClaim, slotAttribute, slotClaim, slotField } from './slots.js';

/**
 * Pure builders of the command inputs for every write. They hold the conditions that keep the
 * contract's invariants; entries.ts and holds.ts send them and turn failed conditions into domain errors (shared/table/failures.ts).
 */

/** An update whose expressions are always present, so it also fits inside a transaction. */
export type UpdateInput = UpdateCommandInput & { UpdateExpression: string; ConditionExpression: string };

/** The same update as one action of a TransactWriteItems (which takes no ReturnValues). */
export function asTransactUpdate(input: UpdateInput) {
  const { ReturnValues: _r, ReturnConsumedCapacity: _c, ReturnValuesOnConditionCheckFailure: _f, ...rest } = input;
  return { ...rest, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const };
}

/** Per-item unit changes plus participant change to apply to the campaign's STATE counters. */
export interface CounterChange {
  /** itemId → units (+ reserve, − release) */
  units: ReadonlyMap<string, number>;
  participants: number;
  /** hand out the next 接龙 number (joins only) */
  takeNumber: boolean;
  /** items with limited stock: only these have `remaining.<id>` and a stock condition */
  limited: ReadonlySet<string>;
  /** join/change/cancel require the campaign open at `now`; repair-time releases do not */
  requireOpenAt: string | null;
  /** joins only: this join's token, pushed into the STATE ring (see JOIN_RING_SIZE) */
  joinToken?: string;
}

/** Where a join's token sits in a STATE item's ring, or -1. */
export function ringPosition(state: Record<string, unknown> | undefined, token: string): number {
  if (!state) return -1;
  for (let i = 0; i < JOIN_RING_SIZE; i++) if (state[ringSlot(i)] === token) return i;
  return -1;
}

/** Number taken by the join at ring position `position`, given the STATE's current `seq`. */
export function seqAtRingPosition(currentSeq: number, position: number): number {
  return currentSeq - (JOIN_RING_SIZE - 1 - position);
}

/** The ring's expression parts never change: built once, not on every join. */
const RING = (() => {
  const names: Record<string, string> = {};
  const conditions: string[] = [];
  const shifts: string[] = [];
  for (let i = 0; i < JOIN_RING_SIZE; i++) {
    names[`#${ringSlot(i)}`] = ringSlot(i);
    conditions.push(`#${ringSlot(i)} <> :token`);
    shifts.push(i + 1 < JOIN_RING_SIZE ? `#${ringSlot(i)} = #${ringSlot(i + 1)}` : `#${ringSlot(i)} = :token`);
  }
  return { names, condition: conditions.join(' AND '), shift: shifts.join(', ') };
})();

export function counterUpdate(tableName: string, campaignId: string, change: CounterChange): UpdateInput {
  const names: Record<string, string> = { '#version': 'version' };
  const values: Record<string, unknown> = { ':one': 1 };
  const sets = ['#version = #version + :one'];
  const conditions = ['attribute_exists(pk)'];
  if (change.requireOpenAt !== null) {
    Object.assign(names, { '#status': 'status', '#opensAt': 'opensAt', '#closesAt': 'closesAt' });
    Object.assign(values, { ':open': 'open', ':now': change.requireOpenAt });
    conditions.push('#status = :open', '#opensAt <= :now', '#closesAt > :now');
  }
  if (change.takeNumber) {
    names['#seq'] = 'seq';
    sets.push('#seq = #seq + :one');
    if (change.joinToken === undefined) throw new Error('a numbered join needs a joinToken');
    values[':token'] = change.joinToken;
    Object.assign(names, RING.names);
    conditions.push(RING.condition);
    sets.push(RING.shift);
  }
  if (change.participants !== 0) {
    names['#participants'] = 'participants';
    values[':participants'] = change.participants;
    sets.push('#participants = #participants + :participants');
  }
  let n = 0;
  for (const [itemId, units] of change.units) {
    if (units === 0) continue;
    const item = `#i${n}`;
    const qty = `:q${n}`;
    n++;
    names[item] = itemId;
    names['#sold'] = 'sold';
    values[qty] = units;
    sets.push(`#sold.${item} = #sold.${item} + ${qty}`);
    if (change.limited.has(itemId)) {
      names['#remaining'] = 'remaining';
      sets.push(`#remaining.${item} = #remaining.${item} - ${qty}`);
      if (units > 0) conditions.push(`#remaining.${item} >= ${qty}`);
    }
  }
  return {
    TableName: tableName,
    Key: keys.campaignState(campaignId),
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ReturnValues: 'UPDATED_NEW',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    ReturnConsumedCapacity: 'TOTAL',
  };
}

export function limitedItems(def: Pick<CampaignDefinition, 'items'>): Set<string> {
  return new Set(def.items.filter((i) => i.stock !== null).map((i) => i.id));
}

/**
 * Every Idempotency-Key a user sent for a campaign stays on their claim as its own attribute
 * `idem_<hash of key>` = {token, requestHash, createdAt}, so a retry is recognized however late it comes,
 * also after a cancel and a new join with another key. A claim holds only the keys of that user in
 * that campaign: a few, ~80 bytes each.
 */
export const idempotencyAttribute = (key: string) => `idem_${createHash('sha256').update(key).digest('base64url').slice(0, 22)}`;

export interface IdempotencyRecord {
  /** the join's token: with the ring or the entries, it leads to the entry (entries.ts locateJoin) */
  token: string;
  requestHash: string;
  /** when that join claimed: its entry's createdAt, the gsi1 sort-key prefix that finds it */
  createdAt: string;
}

/** Claim slot `slot` (entries.ts join): slot 0 writes the top-level fields as ever, slot k the map `slot<k>` (slots.ts). */
function claimUpdate(tableName: string, campaignId: string, record: MemberRecord, slot: number) {
  const names: Record<string, string> = { '#type': 'type', '#userId': 'userId' };
  const values: Record<string, unknown> = { ':type': 'member', ':userId': record.userId };
  const sets = ['#type = :type', '#userId = :userId'];
  if (slot === 0) {
    Object.assign(names, { '#token': 'token', '#state': 'state', '#requestHash': 'requestHash', '#createdAt': 'createdAt' });
    Object.assign(values, {
      ':token': record.token,
      ':held': record.state,
      ':requestHash': record.requestHash,
      ':createdAt': record.createdAt,
    });
    sets.push('#token = :token', '#state = :held', '#requestHash = :requestHash', '#createdAt = :createdAt');
  } else {
    names['#slot'] = slotAttribute(slot);
    values[':claim'] = {
      token: record.token,
      state: record.state,
      requestHash: record.requestHash,
      createdAt: record.createdAt,
    } satisfies SlotClaim;
    sets.push('#slot = :claim');
  }
  // The key's record goes on the claim item whichever slot the join takes: a replay finds it with one read.
  if (record.idempotencyKey !== undefined) {
    Object.assign(names, { '#key': 'idempotencyKey', '#idem': idempotencyAttribute(record.idempotencyKey) });
    Object.assign(values, {
      ':key': record.idempotencyKey,
      ':idem': { token: record.token, requestHash: record.requestHash, createdAt: record.createdAt } satisfies IdempotencyRecord,
    });
    sets.push('#key = :key', '#idem = :idem');
  }
  return {
    TableName: tableName,
    Key: keys.member(campaignId, record.userId),
    UpdateExpression: `SET ${sets.join(', ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * Holds a member may let expire unpaid in one campaign; then their joins there are refused
 * (TOO_MANY_EXPIRED_HOLDS), so nobody can keep a campaign sold out by joining with all the stock
 * and never paying, hold after hold.
 */
export const MAX_EXPIRED_HOLDS = 2;

/**
 * Step 1 of a join: claim one of the user's slots in the campaign (slot 0 unless the campaign
 * allows household entries, see slots.ts). Succeeds when that slot is free (never used, or
 * released: its entry was cancelled or expired), the user has never sent this Idempotency-Key
 * here before, is not blocked from the campaign and has let fewer than MAX_EXPIRED_HOLDS holds
 * expire here. The last three ride on the claim item the join writes anyway, whichever its slot,
 * so they cost the join path nothing. A claim item without `state` (a block written before the
 * user ever joined) has a free slot 0 too.
 */
export function claimMember(tableName: string, campaignId: string, record: MemberRecord, slot = 0): UpdateInput {
  const update = claimUpdate(tableName, campaignId, record, slot);
  update.ExpressionAttributeValues[':released'] = 'released';
  update.ExpressionAttributeValues[':maxExpired'] = MAX_EXPIRED_HOLDS;
  Object.assign(update.ExpressionAttributeNames, { '#blockedAt': 'blockedAt', '#expiredHolds': 'expiredHolds' });
  const state = slotField(slot, 'state', update.ExpressionAttributeNames);
  const free = slot === 0 ? `attribute_not_exists(${state})` : 'attribute_not_exists(#slot)';
  const slotFree =
    `(${free} OR ${state} = :released) AND attribute_not_exists(#blockedAt)` +
    ' AND (attribute_not_exists(#expiredHolds) OR #expiredHolds < :maxExpired)';
  return {
    ...update,
    ConditionExpression: record.idempotencyKey !== undefined ? `${slotFree} AND attribute_not_exists(#idem)` : slotFree,
    ReturnValues: 'ALL_OLD',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    ReturnConsumedCapacity: 'TOTAL',
  };
}

/** Take over a slot whose join died before writing its entry (its lease ran out). */
export function takeOverClaim(tableName: string, campaignId: string, record: MemberRecord, staleToken: string, slot = 0): UpdateInput {
  const update = claimUpdate(tableName, campaignId, record, slot);
  update.ExpressionAttributeValues[':stale'] = staleToken;
  const token = slotField(slot, 'token', update.ExpressionAttributeNames);
  return { ...update, ConditionExpression: `${token} = :stale`, ReturnConsumedCapacity: 'TOTAL' };
}

const SLOT_FIELDS = ['token', 'state', 'requestHash', 'createdAt'] as const;

/**
 * Undo step 1 after a rejected step 2: put back what the slot held before (from the claim's
 * ALL_OLD) and forget this join's Idempotency-Key, only if the slot is still our claim and nobody
 * blocked the member meanwhile (the undo is then skipped, and the claim left without entry is what
 * a dead join leaves: taken over later). Only our slot's fields change, never the whole item: the
 * user's other slots may have changed since (household joins, cancels).
 */
export function restoreClaim(
  tableName: string,
  campaignId: string,
  ours: MemberRecord,
  /** the claim item as it was before our claim (its ALL_OLD) */
  before: object | undefined,
  slot = 0,
): UpdateCommandInput & { ConditionExpression: string } {
  const previous = before as Record<string, unknown> | undefined;
  const names: Record<string, string> = { '#blockedAt': 'blockedAt' };
  const values: Record<string, unknown> = { ':ours': ours.token };
  const token = slotField(slot, 'token', names);
  const sets: string[] = [];
  const removes: string[] = [];
  const old = slotClaim(previous, slot);
  if (slot === 0) {
    for (const field of SLOT_FIELDS) {
      const path = slotField(0, field, names);
      const value = previous?.[field];
      if (value === undefined) removes.push(path);
      else {
        values[`:p_${field}`] = value;
        sets.push(`${path} = :p_${field}`);
      }
    }
  } else if (old) {
    values[':previous'] = { token: old.token, state: old.state, requestHash: old.requestHash, createdAt: old.createdAt };
    sets.push('#slot = :previous');
  } else removes.push('#slot');
  if (ours.idempotencyKey !== undefined) {
    names['#idem'] = idempotencyAttribute(ours.idempotencyKey);
    names['#key'] = 'idempotencyKey';
    removes.push('#idem');
    if (typeof previous?.idempotencyKey === 'string') {
      values[':p_key'] = previous.idempotencyKey;
      sets.push('#key = :p_key');
    } else removes.push('#key');
  }
  const update = [sets.length > 0 ? `SET ${sets.join(', ')}` : '', removes.length > 0 ? `REMOVE ${removes.join(', ')}` : '']
    .filter(Boolean)
    .join(' ');
  return {
    TableName: tableName,
    Key: keys.member(campaignId, ours.userId),
    UpdateExpression: update,
    ConditionExpression: `${token} = :ours AND attribute_not_exists(#blockedAt)`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * Step 3 of a join: the 接龙 line itself, at the key of its number. `attribute_not_exists` makes
 * the number unique by primary key and lets nothing overwrite a line, a void line or a tombstone.
 * One write: the base item plus its gsi1 copy (no local index).
 */
export function putEntry(tableName: string, record: EntryRecord): PutCommandInput {
  return {
    TableName: tableName,
    Item: {
      ...keys.entry(record.campaignId, record.seq),
      ...indexKeys.entryByParticipant(record.userId, record.createdAt, record.id),
      // A held (prepaid, unpaid) entry is in gsi2 by the end of its hold, for the sweep.
      ...(record.status === 'pending_payment' && record.holdUntil
        ? indexKeys.holdUntil(record.holdUntil, record.campaignId, record.id)
        : {}),
      type: 'entry',
      ...record,
    },
    ConditionExpression: 'attribute_not_exists(pk)',
    ReturnConsumedCapacity: 'TOTAL',
  };
}

/** What may be written over a tombstone, and only over a tombstone: the void line of its number. */
const emptyOrTombstone = {
  ConditionExpression: 'attribute_not_exists(pk) OR #type = :tombstone',
  ExpressionAttributeNames: { '#type': 'type' },
  ExpressionAttributeValues: { ':tombstone': 'tombstone' },
};

/**
 * The line shown for a number whose join died: cancelled, void, no person. Whoever writes it
 * first owns that number's accounting (repair recounts; a late join gives its units back), so
 * the units are never released twice. It may replace a tombstone (see putTombstone).
 */
export function putVoidLine(tableName: string, campaignId: string, seq: number, now: string) {
  const line: EntryRecord = {
    id: entryIds.void(seq),
    campaignId,
    campaignTitle: '',
    seq,
    userId: '',
    nickname: '',
    items: [],
    note: null,
    pickupPointId: null,
    phone: null,
    status: 'cancelled',
    createdAt: now,
    updatedAt: now,
    version: 1,
    void: true,
  };
  return { TableName: tableName, Item: { ...keys.entry(campaignId, seq), type: 'entry', ...line }, ...emptyOrTombstone };
}

/**
 * Taking over a dead join's claim when its number is known (the ring): a tombstone at that number,
 * so the join's entry can never land late. It is not a line: lists skip it and repair replaces it
 * with the void line (the number's hole), whose writer accounts for the units.
 */
export function putTombstone(tableName: string, campaignId: string, seq: number, token: string, now: string) {
  return {
    TableName: tableName,
    Item: { ...keys.entry(campaignId, seq), type: 'tombstone', seq, token, campaignId, createdAt: now },
    ...emptyOrTombstone,
  };
}

/**
 * Change an entry's fields, only if nobody changed it since we read `version` and its status is
 * `from` (default active). A new status also takes it out of the hold index (gsi2).
 */
export function updateEntry(
  tableName: string,
  campaignId: string,
  seq: number,
  expectedVersion: number,
  fields: Partial<Pick<EntryRecord, 'items' | 'note' | 'pickupPointId' | 'phone' | 'status' | 'contentReview'>>,
  updatedAt: string,
  from: EntryRecord['status'] = 'active',
): UpdateInput {
  const names: Record<string, string> = { '#version': 'version', '#updatedAt': 'updatedAt', '#status': 'status' };
  const values: Record<string, unknown> = { ':v': expectedVersion, ':one': 1, ':updatedAt': updatedAt, ':active': from };
  const sets = ['#version = #version + :one', '#updatedAt = :updatedAt'];
  const removeHold = fields.status !== undefined ? ` REMOVE ${GSI_DUE.partitionKey}, ${GSI_DUE.sortKey}` : '';
  for (const [field, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    names[`#f_${field}`] = field;
    values[`:f_${field}`] = value;
    sets.push(`#f_${field} = :f_${field}`);
  }
  return {
    TableName: tableName,
    Key: keys.entry(campaignId, seq),
    UpdateExpression: `SET ${sets.join(', ')}${removeHold}`,
    ConditionExpression: '#version = :v AND #status = :active',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** Cancel's part: the entry's slot is free again, only if it is still the cancelled entry's join (its token). */
export function releaseClaim(tableName: string, campaignId: string, userId: string, token: string, slot = 0): UpdateInput {
  const names: Record<string, string> = {};
  const state = slotField(slot, 'state', names);
  const held = slotField(slot, 'token', names);
  return {
    TableName: tableName,
    Key: keys.member(campaignId, userId),
    UpdateExpression: `SET ${state} = :released`,
    ConditionExpression: `${held} = :token`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: { ':released': 'released', ':token': token },
  };
}

/** A hold's end: the claim is released like a cancel's and counts one more expired hold (see MAX_EXPIRED_HOLDS). */
export function releaseExpiredClaim(tableName: string, campaignId: string, userId: string, token: string, slot = 0): UpdateInput {
  const release = releaseClaim(tableName, campaignId, userId, token, slot);
  return {
    ...release,
    UpdateExpression: `${release.UpdateExpression} ADD #expiredHolds :one`,
    ExpressionAttributeNames: { ...release.ExpressionAttributeNames, '#expiredHolds': 'expiredHolds' },
    ExpressionAttributeValues: { ...release.ExpressionAttributeValues, ':one': 1 },
  };
}
