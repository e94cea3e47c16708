import type { PointsBalance, PointsEvent, PointsHold } from '../domain/index.js';
import type { DbContext, TransactItem } from '../table/index.js';
import { entryIds, keys, queryCampaignPrefix } from '../table/index.js';
import { memberPointsWrites } from './ledger.js';

/**
 * Points reserved on an entry to spend at settlement. A reservation is a `spend` event (ref
 * `hold:<campaignId>:<entryId>:<n>`, the n-th reservation of the entry) written in one transaction
 * with the entry's `pointsHold` (the points and the spend rules of that moment), a marker item in
 * the campaign (`PTSHOLD#<entryId>`, so settlement finds the few entries with holds without reading
 * the list) and a check that the campaign is still open or closed and not settled: a settlement
 * commits only on STATE, so no reservation ever lands after the amounts were frozen. Replacing a
 * reservation releases the old one in the same transaction; after settlement `final:<ref>:<phase>`
 * releases what the discount did not use (all of it for a failed group, a cancelled entry, a call-off).
 */
export const holdRef = (campaignId: string, entryId: string, n: number) => `hold:${campaignId}:${entryId}:${n}`;
const nthOf = (ref: string) => Number(ref.slice(ref.lastIndexOf(':') + 1)) || 0;

export type HoldPhase = 'settle' | 'calloff';
export const finalRef = (ref: string, phase: HoldPhase) => `final:${ref}:${phase}`;

export interface HoldContext {
  db: DbContext;
  communityId: string;
  campaignId: string;
  entryId: string;
  userId: string;
  before: PointsBalance | null;
  at: string;
}

/** Where the entry's update sits in a hold transaction (after the points writes). */
export interface HoldWrites {
  writes: TransactItem[];
  /** index of the totals update (fails: the balance does not cover it, or moved) */
  balanceAt: number;
  /** index of the entry's update (fails: the hold or the entry changed) */
  entryAt: number;
  /** index of the campaign check (fails: settled or called off meanwhile) */
  stateAt: number;
}

function releaseEvent(ctx: HoldContext, old: PointsHold, ref: string, points: number): PointsEvent {
  return {
    communityId: ctx.communityId,
    userId: ctx.userId,
    ref,
    kind: 'release',
    points,
    reason: 'release',
    at: ctx.at,
    campaignId: ctx.campaignId,
    entryId: ctx.entryId,
    of: old.ref,
  };
}

const stateCheck = (ctx: HoldContext): TransactItem => ({
  ConditionCheck: {
    TableName: ctx.db.tableName,
    Key: keys.campaignState(ctx.campaignId),
    ConditionExpression: '#status IN (:open, :closed)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':open': 'open', ':closed': 'closed' },
  },
});

function entryKey(ctx: HoldContext) {
  const parsed = entryIds.parse(ctx.entryId);
  if (!parsed) throw new RangeError(`not an entry id: ${ctx.entryId}`);
  return keys.entry(ctx.campaignId, parsed.seq);
}

/** The entry is this member's, active, and holds `old` (or nothing): what the reservation was computed from. */
function entryCondition(ctx: HoldContext, old: PointsHold | undefined) {
  return {
    ConditionExpression: `#id = :id AND #type = :entry AND #status = :active AND userId = :uid AND ${
      old ? 'pointsHold.#ref = :oldRef' : 'attribute_not_exists(pointsHold)'
    }`,
    names: { '#id': 'id', '#type': 'type', '#status': 'status', ...(old ? { '#ref': 'ref' } : {}) },
    values: { ':id': ctx.entryId, ':entry': 'entry', ':active': 'active', ':uid': ctx.userId, ...(old ? { ':oldRef': old.ref } : {}) },
  };
}

/** Pure: reserve `hold.points` (with the rules in `hold`) on the entry, releasing `old` in the same transaction. */
export function reserveHoldWrites(
  ctx: HoldContext,
  old: PointsHold | undefined,
  spend: Omit<PointsHold, 'ref'>,
): HoldWrites & { hold: PointsHold } {
  const hold: PointsHold = { ...spend, ref: holdRef(ctx.campaignId, ctx.entryId, (old ? nthOf(old.ref) : 0) + 1) };
  const events: PointsEvent[] = [
    ...(old && old.points > 0 ? [releaseEvent(ctx, old, `unhold:${old.ref}`, old.points)] : []),
    {
      communityId: ctx.communityId,
      userId: ctx.userId,
      ref: hold.ref,
      kind: 'spend',
      points: hold.points,
      reason: 'spend',
      at: ctx.at,
      campaignId: ctx.campaignId,
      entryId: ctx.entryId,
    },
  ];
  const points = memberPointsWrites(ctx.db.tableName, events, { before: ctx.before, titles: [] });
  const cond = entryCondition(ctx, old);
  const writes: TransactItem[] = [
    ...points,
    {
      Update: {
        TableName: ctx.db.tableName,
        Key: entryKey(ctx),
        UpdateExpression: 'SET pointsHold = :hold',
        ConditionExpression: cond.ConditionExpression,
        ExpressionAttributeNames: cond.names,
        ExpressionAttributeValues: { ...cond.values, ':hold': hold },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    {
      Put: {
        TableName: ctx.db.tableName,
        Item: {
          ...keys.pointsHoldMarker(ctx.campaignId, ctx.entryId),
          type: 'pointsHoldMarker',
          campaignId: ctx.campaignId,
          entryId: ctx.entryId,
          userId: ctx.userId,
          communityId: ctx.communityId,
        },
      },
    },
    stateCheck(ctx),
  ];
  return { writes, hold, balanceAt: events.length, entryAt: points.length, stateAt: writes.length - 1 };
}

/** Pure: give the whole reservation back, leaving the entry's hold at 0 points (DELETE, before settlement). */
export function releaseHoldWrites(ctx: HoldContext, old: PointsHold): HoldWrites {
  const points = memberPointsWrites(ctx.db.tableName, [releaseEvent(ctx, old, `unhold:${old.ref}`, old.points)], {
    before: ctx.before,
    titles: [],
  });
  const cond = entryCondition(ctx, old);
  const writes: TransactItem[] = [
    ...points,
    {
      Update: {
        TableName: ctx.db.tableName,
        Key: entryKey(ctx),
        // The hold stays with 0 points: its ref keeps counting, so the next reservation takes a new one.
        UpdateExpression: 'SET pointsHold.points = :zero',
        ConditionExpression: cond.ConditionExpression,
        ExpressionAttributeNames: cond.names,
        ExpressionAttributeValues: { ...cond.values, ':zero': 0 },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    { Delete: { TableName: ctx.db.tableName, Key: keys.pointsHoldMarker(ctx.campaignId, ctx.entryId) } },
    stateCheck(ctx),
  ];
  return { writes, balanceAt: 1, entryAt: points.length, stateAt: writes.length - 1 };
}

/**
 * Pure: after settlement (or a call-off), give back what the discount does not use: `release`
 * points under `final:<hold ref>:<phase>` (at most once per phase), and note the phase on the marker.
 */
export function finalizeHoldWrites(ctx: HoldContext, hold: PointsHold, phase: HoldPhase, release: number): TransactItem[] {
  const points =
    release > 0
      ? memberPointsWrites(ctx.db.tableName, [releaseEvent(ctx, hold, finalRef(hold.ref, phase), release)], {
          before: ctx.before,
          titles: [],
        })
      : [];
  return [
    ...points,
    {
      Update: {
        TableName: ctx.db.tableName,
        Key: keys.pointsHoldMarker(ctx.campaignId, ctx.entryId),
        UpdateExpression: 'SET #phase = :phase, settledAt = :at',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#phase) OR #phase <> :phase)',
        ExpressionAttributeNames: { '#phase': 'phase' },
        ExpressionAttributeValues: { ':phase': phase, ':at': ctx.at },
      },
    },
  ];
}

export interface HoldMarker {
  campaignId: string;
  entryId: string;
  userId: string;
  communityId: string;
  phase?: HoldPhase;
}

/** The campaign's entries that hold (or held) reserved points: one Query of their markers. */
export async function holdMarkers(db: DbContext, campaignId: string): Promise<HoldMarker[]> {
  const out: HoldMarker[] = [];
  for await (const item of queryCampaignPrefix(db, keys.campaignPartition(campaignId), keys.pointsHoldMarkerPrefix())) {
    out.push({
      campaignId: item.campaignId as string,
      entryId: item.entryId as string,
      userId: item.userId as string,
      communityId: item.communityId as string,
      ...(item.phase ? { phase: item.phase as HoldPhase } : {}),
    });
  }
  return out;
}
