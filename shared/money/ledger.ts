import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { LedgerEvent, MoneyTotals } from '../domain/index.js';
import { ConflictError } from '../errors.js';
import type { DbContext, TransactItem } from '../table/index.js';
import { cancelledTransaction, decodeCursor, encodeCursor, itemKind, keys, queryCampaignPrefix, withRetry } from '../table/index.js';

/**
 * The money of a campaign. Two kinds of items in the campaign's partition:
 *   PAY#<entryId>              running totals of one entry (paid, refunded) and a version
 *   LEDGER#<entryId>#<ref>     one immutable money event
 * Every event is written in one transaction with the totals it changes, and its key is unique per
 * entry and cause (the WeChat transaction id, the out_refund_no, the n-th offline mark). So a
 * notification delivered twice, or a retried request, finds its event already there and changes
 * nothing: money is counted exactly once, and the totals always equal the sum of the ledger.
 */
export interface PaymentRecord extends MoneyTotals {
  /** refunds requested and not yet completed or given up: money on its way back */
  refunding: number;
  /** WeChat Pay orders made for this entry, numbered 1..orderCount (see orders.ts) */
  orderCount?: number;
  campaignId: string;
  entryId: string;
  seq: number;
  userId: string;
  /** number of events applied; offline marks are ordered by it */
  version: number;
  updatedAt: string;
}

/** Stored kinds of this file: an entry's money (`PAY#…`) and one ledger event (`LEDGER#…`). */
const paymentItem = itemKind<PaymentRecord>('payment');
const ledgerItem = itemKind<LedgerEvent>('ledger');

export interface ApplyOptions {
  /** the PAY version the caller computed the event from; another event in between: MoneyConflictError */
  expectVersion?: number;
  /** more writes that commit only with this event, and make it fail if their conditions fail */
  with?: TransactItem[];
  /** more attributes to SET on the PAY record */
  set?: Record<string, string | number>;
}

/** The PAY record moved on since the caller read it; read again and recompute. */
export class MoneyConflictError extends ConflictError {
  constructor() {
    super('The payment changed while processing; retry');
  }
}

export type ApplyOutcome =
  | { applied: true }
  | { applied: false; reason: 'duplicate' }
  | { applied: false; reason: 'rejected'; index: number; item?: Record<string, unknown> };

/** How an event moves the PAY totals; `refunding` is money promised back and not yet confirmed. */
export function effectOf(e: LedgerEvent): MoneyTotals & { refunding: number } {
  switch (e.event) {
    case 'after_sale_approved':
      return { paid: 0, refunded: 0, refunding: 0, discount: e.amount };
    case 'paid':
    case 'offline_marked':
      return { paid: e.amount, refunded: 0, refunding: 0 };
    case 'refund_requested':
      return { paid: 0, refunded: 0, refunding: e.amount };
    case 'refunded':
      // A refund given up on (ABNORMAL, paid out later by the merchant platform) was no longer on its way.
      return { paid: 0, refunded: e.amount, refunding: e.afterGivingUp ? 0 : -e.amount };
    case 'refund_failed':
      // Only a refund given up on stops being on its way; a failed attempt that will be retried still is.
      return { paid: 0, refunded: 0, refunding: e.final ? -e.amount : 0 };
    default:
      return { paid: 0, refunded: 0, refunding: 0 };
  }
}

/** Pure: the transaction that records `event` and moves the entry's totals. */
export function moneyEventTransaction(tableName: string, event: LedgerEvent, userId: string, opts: ApplyOptions = {}): TransactItem[] {
  const effect = effectOf(event);
  const extra = Object.entries(opts.set ?? {});
  const versionCondition =
    opts.expectVersion === undefined ? undefined : opts.expectVersion === 0 ? 'attribute_not_exists(#version)' : '#version = :expect';
  return [
    {
      Put: {
        TableName: tableName,
        Item: ledgerItem.toItem(keys.ledger(event.campaignId, event.entryId, event.ref), event),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Update: {
        TableName: tableName,
        Key: keys.payment(event.campaignId, event.entryId),
        UpdateExpression:
          'SET #type = :type, campaignId = :c, entryId = :e, seq = :seq, userId = :u, updatedAt = :at' +
          extra.map((_, i) => `, #x${i} = :x${i}`).join('') +
          ' ADD paid :paid, refunded :refunded, refunding :refunding, #version :one' +
          (effect.discount ? ', discount :discount' : ''),
        ...(versionCondition ? { ConditionExpression: versionCondition } : {}),
        ExpressionAttributeNames: { '#type': 'type', '#version': 'version', ...Object.fromEntries(extra.map(([k], i) => [`#x${i}`, k])) },
        ExpressionAttributeValues: {
          ':type': 'payment',
          ':c': event.campaignId,
          ':e': event.entryId,
          ':seq': event.seq,
          ':u': userId,
          ':at': event.at,
          ':paid': effect.paid,
          ':refunded': effect.refunded,
          ':refunding': effect.refunding,
          ':one': 1,
          ...(effect.discount ? { ':discount': effect.discount } : {}),
          ...Object.fromEntries(extra.map(([, v], i) => [`:x${i}`, v])),
          ...(opts.expectVersion ? { ':expect': opts.expectVersion } : {}),
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    ...(opts.with ?? []),
  ];
}

/**
 * Record one money event, exactly once. `duplicate`: this event (same entry and ref) is already in
 * the ledger and nothing changed. `rejected`: a condition of one of `opts.with` failed (its index
 * and old item are returned) and nothing changed. A moved-on version is MoneyConflictError.
 */
export async function applyMoneyEvent(db: DbContext, event: LedgerEvent, userId: string, opts: ApplyOptions = {}): Promise<ApplyOutcome> {
  return withRetry(
    async () => {
      try {
        await db.doc.send(new TransactWriteCommand({ TransactItems: moneyEventTransaction(db.tableName, event, userId, opts) }));
        return { applied: true };
      } catch (err) {
        const cancelled = cancelledTransaction(err);
        const reasons = cancelled?.reasons ?? [];
        if (reasons[0]?.code === 'ConditionalCheckFailed') return { applied: false, reason: 'duplicate' };
        if (reasons[1]?.code === 'ConditionalCheckFailed') throw new MoneyConflictError();
        const failed = reasons.findIndex((r, i) => i >= 2 && r.code === 'ConditionalCheckFailed');
        if (failed >= 2) return { applied: false, reason: 'rejected', index: failed - 2, item: reasons[failed]!.item };
        throw err;
      }
    },
    { retries: 5 },
  );
}

export async function getPayment(db: DbContext, campaignId: string, entryId: string): Promise<PaymentRecord | null> {
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.payment(campaignId, entryId), ConsistentRead: true }));
  return paymentItem.fromMaybe(out.Item);
}

/** Every PAY record of a campaign, by entry id (payments view, CSV, settlement refunds). */
export async function allPayments(db: DbContext, campaignId: string): Promise<Map<string, PaymentRecord>> {
  const out = new Map<string, PaymentRecord>();
  for await (const item of queryPrefix(db, campaignId, keys.paymentPrefix())) {
    const record = paymentItem.fromItem(item);
    out.set(record.entryId, record);
  }
  return out;
}

async function* queryPrefix(db: DbContext, campaignId: string, prefix: string): AsyncGenerator<Record<string, unknown>> {
  // Raw items: the item kinds below strip keys and tags, once.
  yield* queryCampaignPrefix(db, keys.campaignPartition(campaignId), prefix);
}

async function queryPage(db: DbContext, campaignId: string, prefix: string, limit: number, cursor?: string | null) {
  const pk = keys.campaignPartition(campaignId);
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
      ConsistentRead: true,
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, pk),
    }),
  );
  return { items: out.Items ?? [], nextCursor: encodeCursor(out.LastEvaluatedKey) };
}

/** The campaign's ledger, grouped by entry, each entry's events in key order. */
export async function listLedger(
  db: DbContext,
  campaignId: string,
  limit: number,
  cursor?: string | null,
): Promise<{ events: LedgerEvent[]; nextCursor: string | null }> {
  const page = await queryPage(db, campaignId, keys.ledgerPrefix(), limit, cursor);
  return { events: page.items.map(toLedgerEvent), nextCursor: page.nextCursor };
}

export async function* allLedgerEvents(db: DbContext, campaignId: string): AsyncGenerator<LedgerEvent> {
  for await (const item of queryPrefix(db, campaignId, keys.ledgerPrefix())) yield toLedgerEvent(item);
}

const toLedgerEvent = (item: Record<string, unknown>): LedgerEvent => ledgerItem.fromItem(item);
