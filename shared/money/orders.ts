import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DbContext, TransactItem } from '../table/index.js';
import { batchGetAll, conditionFailure, GSI_DUE, indexKeys, itemKind, keys, queryCampaignPrefix } from '../table/index.js';

/** Stored kinds of this file: a WeChat Pay order (`PAYORDER#…`) and a refund (`REFUND#…`). */
const orderItem = itemKind<OrderRecord>('order');
const refundItem = itemKind<RefundRecord>('refund');

/**
 * WeChat Pay orders and refunds as stored.
 *
 * out_trade_no and out_refund_no are derived from what they pay or refund (campaign, entry, order
 * number, purpose), never random: a retried prepay asks WeChat for the same order (WeChat answers
 * an identical repeat with the same prepay_id), and a retried refund cannot refund twice.
 */
export type OrderKind = 'join' | 'topup';

export interface OrderRecord {
  outTradeNo: string;
  campaignId: string;
  entryId: string;
  seq: number;
  userId: string;
  /** n-th order of the entry (1: the join; more: top-ups after raising the quantity) */
  n: number;
  kind: OrderKind;
  /** fen asked for */
  amount: number;
  state: 'created' | 'paid' | 'closed';
  prepayId?: string;
  transactionId?: string;
  /** fen actually paid */
  paidAmount: number;
  /** fen of this order not yet promised back: refunds take from it under a condition, so never more than was paid */
  refundable: number;
  createdAt: string;
  /** time_expire sent to WeChat: the end of the hold */
  expiresAt: string;
  /** top-ups: the entry's lines once this is paid (a raised quantity takes effect only when paid) */
  items?: Array<{ itemId: string; qty: number }>;
  /**
   * The description sent to WeChat, made once with the order (order-description.ts): every later call
   * for this out_trade_no sends it again, since WeChat refuses other parameters for the same number.
   * Absent on orders stored before it was kept.
   */
  description?: string;
}

export type RefundState = 'pending' | 'processing' | 'succeeded' | 'failed';

export interface RefundRecord {
  outRefundNo: string;
  outTradeNo: string;
  /** the order's total, which WeChat wants with every refund */
  orderTotal: number;
  campaignId: string;
  entryId: string;
  seq: number;
  userId: string;
  amount: number;
  /** why: settle (退差价 or failed group), cancel, reduce#<version>, late#<transaction> */
  purpose: string;
  state: RefundState;
  /** failed attempts so far (never reset: each failure's ledger event is numbered by it) */
  attempts: number;
  /** automatic tries stop when attempts reach this; a retry by the leader raises it */
  attemptsLimit?: number;
  /** the last failure's reason, shown to the leader */
  lastError: string | null;
  /** when the sweep tries (or checks) it next; null when nothing is scheduled */
  nextAttemptAt: string | null;
  refundId?: string;
  /**
   * WeChat Pay CLOSED this out_refund_no without paying it: the number is dead, and its amount went
   * back to the order's refundable money, for a retry under a new number (refundRetryNo)
   */
  closed?: boolean;
  /** a closed refund retried: the out_refund_no that took its place */
  replacedBy?: string;
  /** a retry of a closed refund: the first refund's out_refund_no, and which try this is (2, 3, …) */
  retryOf?: string;
  generation?: number;
  createdAt: string;
  updatedAt: string;
}

const digest = (parts: Array<string | number>) => createHash('sha256').update(parts.join('|')).digest('hex').toUpperCase();

/** 32 characters of [0-9A-Z], within WeChat's 6–32 [0-9A-Za-z_-|*]. */
export const outTradeNoFor = (campaignId: string, entryId: string, n: number) =>
  `T${digest(['order', campaignId, entryId, n]).slice(0, 31)}`;
export const outRefundNoFor = (campaignId: string, entryId: string, outTradeNo: string, purpose: string) =>
  `R${digest(['refund', campaignId, entryId, outTradeNo, purpose]).slice(0, 31)}`;
/**
 * The number of the next try after a refund WeChat closed: `<first>-r2`, `-r3` … (within WeChat's
 * 1–64 [0-9A-Za-z_-|*@]). Derived, so two retries at once compute the same one and only one lands.
 */
export const refundRetryNo = (closed: Pick<RefundRecord, 'outRefundNo' | 'retryOf' | 'generation'>) =>
  `${closed.retryOf ?? closed.outRefundNo}-r${(closed.generation ?? 1) + 1}`;

/** Store an order once; a repeat returns the stored one (the first one's amount and expiry win). */
export async function putOrder(db: DbContext, order: OrderRecord): Promise<OrderRecord> {
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: orderItem.toItem(keys.payOrder(order.outTradeNo), order),
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return order;
  } catch (err) {
    const failure = conditionFailure(err);
    if (!failure?.item) throw err;
    return orderItem.fromItem(failure.item);
  }
}

export async function getOrder(db: DbContext, outTradeNo: string): Promise<OrderRecord | null> {
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.payOrder(outTradeNo), ConsistentRead: true }));
  return orderItem.fromMaybe(out.Item);
}

export async function getOrders(db: DbContext, outTradeNos: readonly string[]): Promise<OrderRecord[]> {
  const items = await batchGetAll(
    db,
    outTradeNos.map((no) => keys.payOrder(no)),
    { consistent: true },
  );
  return items.map(orderItem.fromItem).sort((a, b) => a.n - b.n);
}

export async function setPrepayId(db: DbContext, outTradeNo: string, prepayId: string): Promise<void> {
  await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: keys.payOrder(outTradeNo),
      UpdateExpression: 'SET prepayId = :p',
      ExpressionAttributeValues: { ':p': prepayId },
    }),
  );
}

/** Pure: the order becomes paid (once) with what was paid, all of it refundable. */
export function orderPaidUpdate(tableName: string, outTradeNo: string, transactionId: string, paidAmount: number): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: keys.payOrder(outTradeNo),
      UpdateExpression: 'SET #state = :paid, transactionId = :t, paidAmount = :amount, refundable = :amount',
      ConditionExpression: 'attribute_exists(pk) AND #state <> :paid',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':paid': 'paid', ':t': transactionId, ':amount': paidAmount },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

export async function markOrderClosed(db: DbContext, outTradeNo: string): Promise<void> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.payOrder(outTradeNo),
        UpdateExpression: 'SET #state = :closed',
        ConditionExpression: '#state = :created',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':closed': 'closed', ':created': 'created' },
      }),
    );
  } catch (err) {
    if (!conditionFailure(err)) throw err; // paid meanwhile, or closed already: nothing to do
  }
}

/** Pure: take `amount` from an order's refundable money, only if that much is left. */
export function takeRefundable(tableName: string, outTradeNo: string, amount: number): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: keys.payOrder(outTradeNo),
      UpdateExpression: 'SET refundable = refundable - :amount',
      ConditionExpression: 'refundable >= :amount',
      ExpressionAttributeValues: { ':amount': amount },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** Pure: give `amount` back to an order's refundable money (a refund WeChat closed unpaid; the refund's own condition makes it once). */
export function giveBackRefundable(tableName: string, outTradeNo: string, amount: number): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: keys.payOrder(outTradeNo),
      UpdateExpression: 'SET refundable = refundable + :amount',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':amount': amount },
    },
  };
}

/** Pure: a closed refund is replaced by its retry, once (a second retry at once fails here). */
export function refundReplaced(
  tableName: string,
  refund: Pick<RefundRecord, 'campaignId' | 'outRefundNo'>,
  replacedBy: string,
  now: string,
): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: keys.refund(refund.campaignId, refund.outRefundNo),
      UpdateExpression: 'SET replacedBy = :next, #updatedAt = :now',
      ConditionExpression: 'closed = :yes AND attribute_not_exists(replacedBy)',
      ExpressionAttributeNames: { '#updatedAt': 'updatedAt' },
      ExpressionAttributeValues: { ':next': replacedBy, ':now': now, ':yes': true },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** Pure: put a new refund, due at once; a refund with this out_refund_no already there fails it. */
export function newRefund(tableName: string, refund: RefundRecord): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: refundItem.toItem(
        {
          ...keys.refund(refund.campaignId, refund.outRefundNo),
          ...indexKeys.refundDue(refund.nextAttemptAt ?? refund.createdAt, refund.campaignId, refund.outRefundNo),
        },
        refund,
      ),
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/**
 * Pure: record an attempt's outcome on the refund. `nextAttemptAt` null takes it off the due
 * index. Only a refund that is not already succeeded changes: a late failure report cannot undo
 * a success.
 */
export function refundUpdate(
  tableName: string,
  refund: Pick<RefundRecord, 'campaignId' | 'outRefundNo'>,
  change: Partial<Pick<RefundRecord, 'state' | 'attempts' | 'attemptsLimit' | 'lastError' | 'nextAttemptAt' | 'refundId' | 'closed'>>,
  now: string,
  /** only when the refund is in this state (default: any but succeeded) */
  expectState?: RefundState,
  /** only when WeChat has not closed it (a closed number is dead: only its retry under a new number may pay) */
  notClosed = false,
): TransactItem {
  const names: Record<string, string> = { '#state': 'state', '#updatedAt': 'updatedAt' };
  const values: Record<string, unknown> = { ':expected': expectState ?? 'succeeded', ':now': now };
  const sets = ['#updatedAt = :now'];
  const removes: string[] = [];
  for (const [field, value] of Object.entries(change)) {
    names[`#f_${field}`] = field;
    values[`:f_${field}`] = value;
    sets.push(`#f_${field} = :f_${field}`);
  }
  if (change.nextAttemptAt !== undefined) {
    names['#g2pk'] = GSI_DUE.partitionKey;
    names['#g2sk'] = GSI_DUE.sortKey;
    if (change.nextAttemptAt === null) removes.push('#g2pk', '#g2sk');
    else {
      const due = indexKeys.refundDue(change.nextAttemptAt, refund.campaignId, refund.outRefundNo);
      values[':g2pk'] = due[GSI_DUE.partitionKey];
      values[':g2sk'] = due[GSI_DUE.sortKey];
      sets.push('#g2pk = :g2pk', '#g2sk = :g2sk');
    }
  }
  return {
    Update: {
      TableName: tableName,
      Key: keys.refund(refund.campaignId, refund.outRefundNo),
      UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression:
        (expectState ? 'attribute_exists(pk) AND #state = :expected' : 'attribute_exists(pk) AND #state <> :expected') +
        (notClosed ? ' AND attribute_not_exists(closed)' : ''),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

export async function getRefund(db: DbContext, campaignId: string, outRefundNo: string): Promise<RefundRecord | null> {
  const out = await db.doc.send(
    new GetCommand({ TableName: db.tableName, Key: keys.refund(campaignId, outRefundNo), ConsistentRead: true }),
  );
  return refundItem.fromMaybe(out.Item);
}

/** Every refund of a campaign (the leader's refunds view). */
export async function listRefunds(db: DbContext, campaignId: string): Promise<RefundRecord[]> {
  const out: RefundRecord[] = [];
  for await (const item of queryCampaignPrefix(db, keys.campaignPartition(campaignId), keys.refundPrefix()))
    out.push(refundItem.fromItem(item));
  return out.sort((a, b) => a.seq - b.seq || a.createdAt.localeCompare(b.createdAt));
}
