import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  addEffect,
  EMPTY_BALANCE,
  type PointsBalance,
  type PointsEvent,
  type PointsEventKind,
  reversalRef,
  type TitleRule,
  titleBasis,
  titleFor,
} from '../domain/index.js';
import { ConflictError, InsufficientPointsError } from '../errors.js';
import type { DbContext, TransactItem } from '../table/index.js';
import {
  cancelledTransaction,
  decodeCursor,
  encodeCursor,
  isLookupableId,
  isTransientConflict,
  itemKind,
  keys,
  withRetry,
} from '../table/index.js';

/**
 * The points ledger of one member in one community, like the money ledger: every event is an
 * immutable item `POINTS#<communityId>#<userId>` / `EV#<ref>` put with attribute_not_exists, in
 * one transaction with the member's totals (`COMMUNITY#<id>` / `PTSBAL#<userId>`) it moves. So a
 * repeated event (same ref) changes nothing, and the totals always equal the sum of the events:
 * balance = earned − spent − reversed. A spend or a reversal is conditioned on the balance
 * covering it, so no interleaving of requests ever makes a balance negative.
 *
 * When the community has titles, earns and reversals also carry the read they were computed from
 * (the balance's earned and reversed): the transaction then writes the member's new title into
 * the community's titles map exactly when their points cross a threshold, and a concurrent event
 * that moved the totals first makes it fail (the caller reads again and rebuilds).
 */
export interface BalanceRecord extends PointsBalance {
  communityId: string;
  userId: string;
  updatedAt: string;
}

const balanceItem = itemKind<BalanceRecord>('pointsBalance');
const eventItem = itemKind<PointsEvent>('pointsEvent');

/**
 * Where each write sits in the transaction a builder returns (a cancellation's reasons follow this
 * order): the n events first, then the totals at [n], then the titles map at [n + 1] when written.
 */
export const POINTS_WRITE = { event: 0, balance: (events: number) => events, titles: (events: number) => events + 1 } as const;

export interface PointsWriteContext {
  /** the member's totals as read before (null: no balance item yet) */
  before: PointsBalance | null;
  /** the community's title ladder (empty: no titles, no read-dependence for earns and reversals) */
  titles: readonly TitleRule[];
}

/** An event to write, without its kind (the builder names it). */
export type PointsEventInput = Omit<PointsEvent, 'kind'>;

/**
 * Pure: the writes of some points events of ONE member (a transaction may touch the totals item
 * once, so a settlement's join and paid earnings share one Update). [0..n-1] the events (each
 * fails if its ref is there: already applied), [n] the totals (fails if the read moved on or the
 * balance does not cover what is taken), [n+1] the titles map, only when the member's title
 * changes. Another transaction (the settlement's per-member fold) may include them; a failed
 * event write there means "applied before".
 */
export function memberPointsWrites(tableName: string, events: readonly PointsEvent[], ctx: PointsWriteContext): TransactItem[] {
  const first = events[0];
  if (!first) return [];
  let effect: PointsBalance = EMPTY_BALANCE;
  let readDependent = false;
  for (const e of events) {
    if (e.communityId !== first.communityId || e.userId !== first.userId) throw new RangeError('events of one member only');
    if (!Number.isSafeInteger(e.points) || e.points <= 0) throw new RangeError(`points must be a positive integer: ${e.points}`);
    effect = addEffect(effect, e.kind, e.points);
    if (e.kind === 'earn' || e.kind === 'reverse') readDependent = true;
  }
  const { communityId, userId, at } = first;
  const before = ctx.before ?? EMPTY_BALANCE;
  const after: PointsBalance = {
    earned: before.earned + effect.earned,
    spent: before.spent + effect.spent,
    reversed: before.reversed + effect.reversed,
    balance: before.balance + effect.balance,
  };
  const titleBefore = titleFor(ctx.titles, titleBasis(before));
  const titleAfter = titleFor(ctx.titles, titleBasis(after));
  const values: Record<string, unknown> = {
    ':type': balanceItem.type,
    ':c': communityId,
    ':u': userId,
    ':at': at,
    ':earned': effect.earned,
    ':spent': effect.spent,
    ':reversed': effect.reversed,
    ':delta': effect.balance,
  };
  const conditions: string[] = [];
  // Taking points: the balance must cover them at the moment of writing, whatever was read
  // (a release in the same transaction counts: replacing a reservation takes only the difference).
  if (effect.balance < 0) {
    conditions.push('#balance >= :need');
    values[':need'] = -effect.balance;
  }
  // With titles, an earn or reversal is computed from the read: it commits only if that read still holds.
  if (ctx.titles.length > 0 && readDependent) {
    if (ctx.before) {
      conditions.push('earned = :be AND reversed = :br');
      values[':be'] = ctx.before.earned;
      values[':br'] = ctx.before.reversed;
    } else conditions.push('attribute_not_exists(pk)');
  }
  const writes: TransactItem[] = events.map((e) => ({
    Put: {
      TableName: tableName,
      Item: eventItem.toItem(keys.pointsEvent(communityId, userId, e.ref), e),
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  }));
  writes.push({
    Update: {
      TableName: tableName,
      Key: keys.pointsBalance(communityId, userId),
      UpdateExpression:
        'SET #type = :type, communityId = :c, userId = :u, updatedAt = :at ADD earned :earned, spent :spent, reversed :reversed, #balance :delta',
      ...(conditions.length > 0 ? { ConditionExpression: conditions.join(' AND ') } : {}),
      ExpressionAttributeNames: { '#type': 'type', '#balance': 'balance' },
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  });
  if (titleAfter !== titleBefore) writes.push(titleWrite(tableName, communityId, userId, titleAfter));
  return writes;
}

/** Pure: the writes of one points event (see memberPointsWrites). */
export function pointsEventWrites(
  tableName: string,
  kind: PointsEventKind,
  event: PointsEventInput,
  ctx: PointsWriteContext,
): TransactItem[] {
  return memberPointsWrites(tableName, [{ ...event, kind }], ctx);
}

/** The member's entry in the titles map (the item exists whenever the community has titles: rules.ts writes it with them). */
function titleWrite(tableName: string, communityId: string, userId: string, title: string | null): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: keys.pointsTitles(communityId),
      UpdateExpression: title === null ? 'REMOVE titles.#u' : 'SET titles.#u = :title',
      ConditionExpression: 'attribute_exists(titles)',
      ExpressionAttributeNames: { '#u': userId },
      ...(title === null ? {} : { ExpressionAttributeValues: { ':title': title } }),
    },
  };
}

/** Pure: an earning (settlement, pickup, review, referral). */
export const pointsEarnWrites = (tableName: string, event: PointsEventInput, ctx: PointsWriteContext) =>
  pointsEventWrites(tableName, 'earn', event, ctx);

/** Pure: a spend (a reservation for an entry is one, with its hold ref); conditioned on the balance covering it. */
export const pointsSpendWrites = (tableName: string, event: PointsEventInput, ctx: PointsWriteContext) =>
  pointsEventWrites(tableName, 'spend', event, ctx);

/** Pure: unused reserved points back to the member (`of`: the spend's ref). */
export const pointsReleaseWrites = (tableName: string, event: PointsEventInput, ctx: PointsWriteContext) =>
  pointsEventWrites(tableName, 'release', event, ctx);

/**
 * Pure: takes back the earn `original` (ref `rev:<its ref>`, at most once), as much of it as the
 * balance still holds (points already spent are not clawed into a negative balance): null when
 * there is nothing to take back.
 */
export function pointsReverseWrites(
  tableName: string,
  original: Pick<PointsEvent, 'communityId' | 'userId' | 'ref' | 'points' | 'campaignId' | 'entryId'>,
  at: string,
  ctx: PointsWriteContext,
): TransactItem[] | null {
  const points = Math.min(original.points, ctx.before?.balance ?? 0);
  if (points <= 0) return null;
  return pointsEventWrites(
    tableName,
    'reverse',
    {
      communityId: original.communityId,
      userId: original.userId,
      ref: reversalRef(original.ref),
      points,
      reason: 'reverse',
      at,
      of: original.ref,
      ...(original.campaignId ? { campaignId: original.campaignId } : {}),
      ...(original.entryId ? { entryId: original.entryId } : {}),
    },
    ctx,
  );
}

export async function getPointsBalance(db: DbContext, communityId: string, userId: string): Promise<BalanceRecord | null> {
  if (!isLookupableId(communityId) || !isLookupableId(userId)) return null;
  const out = await db.doc.send(
    new GetCommand({ TableName: db.tableName, Key: keys.pointsBalance(communityId, userId), ConsistentRead: true }),
  );
  return balanceItem.fromMaybe(out.Item);
}

export async function getPointsEvent(db: DbContext, communityId: string, userId: string, ref: string): Promise<PointsEvent | null> {
  const out = await db.doc.send(
    new GetCommand({ TableName: db.tableName, Key: keys.pointsEvent(communityId, userId, ref), ConsistentRead: true }),
  );
  return eventItem.fromMaybe(out.Item);
}

export type PointsOutcome = { applied: true; balance: PointsBalance } | { applied: false; reason: 'duplicate' | 'nothing' };

/**
 * Sends one event alone, exactly once: reads the totals, builds the writes, retries when the
 * totals moved in between (another event of the member). `duplicate`: its ref is in the ledger.
 * A spend the balance does not cover is InsufficientPointsError.
 */
export async function applyPointsEvent(
  db: DbContext,
  kind: 'earn' | 'spend' | 'release',
  event: PointsEventInput,
  titles: readonly TitleRule[],
): Promise<PointsOutcome> {
  return sendWithRetry(db, event.communityId, event.userId, (before) => {
    if (kind === 'spend' && (before?.balance ?? 0) < event.points) {
      throw new InsufficientPointsError(`Only ${before?.balance ?? 0} points left, ${event.points} needed`, {
        balance: before?.balance ?? 0,
        requested: event.points,
      });
    }
    const writes = pointsEventWrites(db.tableName, kind, event, { before, titles });
    return { writes, after: addEffect(before ?? EMPTY_BALANCE, kind, event.points), events: 1 };
  });
}

/** Takes back the member's earn `ref` (see pointsReverseWrites); nothing when it was never earned or is taken back already. */
export async function reversePoints(
  db: DbContext,
  communityId: string,
  userId: string,
  ref: string,
  titles: readonly TitleRule[],
): Promise<PointsOutcome> {
  const original = await getPointsEvent(db, communityId, userId, ref);
  if (original?.kind !== 'earn') return { applied: false, reason: 'nothing' };
  const at = db.clock.now().toISOString();
  return sendWithRetry(db, communityId, userId, (before) => {
    const writes = pointsReverseWrites(db.tableName, original, at, { before, titles });
    if (!writes) return null;
    const points = Math.min(original.points, before?.balance ?? 0);
    return { writes, after: addEffect(before ?? EMPTY_BALANCE, 'reverse', points), events: 1 };
  });
}

/**
 * One member's events, computed from a fresh read of their totals each attempt: `build` returns
 * the writes (null: nothing to do). Losing to a concurrent event of the member is retried.
 */
export async function sendWithRetry(
  db: DbContext,
  communityId: string,
  userId: string,
  build: (before: PointsBalance | null) => { writes: TransactItem[]; after: PointsBalance; events: number } | null,
): Promise<PointsOutcome> {
  return withRetry<PointsOutcome>(
    async () => {
      const before = await getPointsBalance(db, communityId, userId);
      const built = build(before);
      if (!built) return { applied: false, reason: 'nothing' };
      try {
        await db.doc.send(new TransactWriteCommand({ TransactItems: built.writes }));
        return { applied: true, balance: built.after };
      } catch (err) {
        const reasons = cancelledTransaction(err)?.reasons ?? [];
        if (reasons.slice(0, built.events).some((r) => r.code === 'ConditionalCheckFailed')) return { applied: false, reason: 'duplicate' };
        if (reasons[built.events]?.code === 'ConditionalCheckFailed') throw new BalanceMovedError();
        throw err;
      }
    },
    {
      retries: 12,
      baseMs: 5,
      // The totals moved since the read (or a concurrent transaction won): read again and rebuild.
      retryOn: (err) => isTransientConflict(err) || err instanceof BalanceMovedError,
      onExhausted: () => new ConflictError('Your points changed meanwhile; retry'),
    },
  );
}

/** The totals moved between the read and the write (another event of the member): read again. */
class BalanceMovedError extends Error {}

/** A member's events in ref order, a page at a time. */
export async function listPointsEvents(
  db: DbContext,
  communityId: string,
  userId: string,
  limit: number,
  cursor?: string | null,
): Promise<{ events: PointsEvent[]; nextCursor: string | null }> {
  const pk = keys.pointsPartition(communityId, userId);
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': keys.pointsEventPrefix() },
      ConsistentRead: true,
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor ?? undefined, { pk, skPrefix: keys.pointsEventPrefix() }),
    }),
  );
  return { events: (out.Items ?? []).map((i) => eventItem.fromItem(i)), nextCursor: encodeCursor(out.LastEvaluatedKey) };
}

/** Every event of the member (export). */
export async function allPointsEvents(db: DbContext, communityId: string, userId: string): Promise<PointsEvent[]> {
  const events: PointsEvent[] = [];
  let cursor: string | null = null;
  do {
    const page = await listPointsEvents(db, communityId, userId, 200, cursor);
    events.push(...page.events);
    cursor = page.nextCursor;
  } while (cursor);
  return events;
}
