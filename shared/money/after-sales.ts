import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CampaignSnapshot } from '../campaigns/index.js';
import { afterSaleRefundable, deliveredLines, type EntryLine, entryDue, refundOwed, settleEntry } from '../domain/index.js';
import { type PickupEntryRecord, requireEntry } from '../entries/index.js';
import { InvalidStateError, NotFoundError, ValidationError } from '../errors.js';
import { newId } from '../ids.js';
import type { DbContext } from '../table/index.js';
import { conditionFailure, GSI_DUE, indexKeys, isLookupableId, itemKind, keys, queryCampaignPrefix, toEntry } from '../table/index.js';
import type { PaymentsContext } from './context.js';
import { applyMoneyEvent, getPayment, MoneyConflictError } from './ledger.js';
import { requestRefund } from './refunds.js';

/**
 * After-sale requests (售后): a member who picked their goods up asks for money back for some units
 * (bad, missing), with a reason and optional photo keys; the leader or a helper approves (all, or a
 * part of the amount) or rejects, once.
 *
 * An approval is an `after_sale_approved` ledger event that adds its amount to the entry's PAY
 * `discount` (what the entry finally costs is its bill minus that), in one transaction with the
 * decision, so the ledger says it and every later pass (a call-off, the payments view) counts it.
 * A prepaid entry's refund follows: the approval puts the request on the refund-plan timeline
 * (gsi2 REFUND_PLAN) in the same transaction, the decision asks for it at once, and the sweep's
 * refund-plan unit asks again until it is requested. Each ask gives back the entry's excess, at
 * most the approved amount, held to the PAY version it was computed from (purpose
 * `aftersale#<id>`), so no other pass and no repeat can give it back twice. Offline: the payments
 * view shows the amount owed back, as for every offline refund.
 */
export type AfterSaleState = 'pending' | 'approved' | 'rejected';

export interface AfterSaleRecord {
  requestId: string;
  campaignId: string;
  entryId: string;
  seq: number;
  userId: string;
  items: EntryLine[];
  reason: string;
  photos: string[];
  /** fen: Σ qty × the settled unit price */
  amount: number;
  state: AfterSaleState;
  createdAt: string;
  decidedAt?: string;
  decidedBy?: string;
  /** approved: the fen given back (≤ amount) */
  approvedAmount?: number;
  note?: string;
  rejectReason?: string;
  /** prepaid and approved: true until its refund is requested */
  refundDue?: boolean;
  /** the member erased their account (shared/privacy): reason and photos are emptied */
  erasedAt?: string;
}

const afterSaleItem = itemKind<AfterSaleRecord>('after-sale');

/** Every request of a campaign, oldest first (requests are few: one query, paged by the SDK loop). */
export async function listAfterSales(db: DbContext, campaignId: string): Promise<AfterSaleRecord[]> {
  const out: AfterSaleRecord[] = [];
  for await (const item of queryCampaignPrefix(db, keys.campaignPartition(campaignId), keys.afterSalePrefix()))
    out.push(afterSaleItem.fromItem(item));
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.requestId.localeCompare(b.requestId));
}

export async function requireAfterSale(db: DbContext, campaignId: string, requestId: string): Promise<AfterSaleRecord> {
  const out = isLookupableId(requestId)
    ? await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.afterSale(campaignId, requestId), ConsistentRead: true }))
    : null;
  const record = afterSaleItem.fromMaybe(out?.Item);
  if (!record) throw new NotFoundError(`No after-sale request ${requestId} in campaign ${campaignId}`);
  return record;
}

/** What a campaign must be for after-sales: settled, the group succeeded, not called off. */
function requireAfterSaleCampaign(snapshot: CampaignSnapshot): NonNullable<CampaignSnapshot['settlement']> {
  if (snapshot.state.status === 'cancelled')
    throw new InvalidStateError('The campaign was called off: everything is refunded already', { status: 'cancelled' });
  if (snapshot.settlement?.status !== 'settled')
    throw new InvalidStateError('After-sales follow a successful settlement and a pickup', {
      status: snapshot.settlement?.status ?? snapshot.state.status,
    });
  return snapshot.settlement;
}

/**
 * The member asks (the owner check is the route's, access.ts). 409 unless the entry was picked up;
 * 400 when a line asks for more units than the entry got (less what its other open or approved
 * requests ask), or the amount is more than the entry has paid and not been given back. The amount
 * is the goods' final price less the points' share of them (afterSaleRefundable).
 */
export async function createAfterSale(
  db: DbContext,
  snapshot: CampaignSnapshot,
  entry: PickupEntryRecord,
  input: { items: EntryLine[]; reason: string; photos: string[] },
): Promise<AfterSaleRecord> {
  const summary = requireAfterSaleCampaign(snapshot);
  if (entry.status !== 'active' || !entry.pickedUpAt)
    throw new InvalidStateError('An after-sale request follows the pickup: this entry is not picked up', { status: entry.status });
  const bill = settleEntry(summary, toEntry(entry));
  const got = new Map(deliveredLines(summary.shortage, entry.seq, entry.items).map((l) => [l.itemId, l.qty]));
  const others = (await listAfterSales(db, snapshot.def.id)).filter((r) => r.entryId === entry.id && r.state !== 'rejected');
  const asked = new Map<string, number>();
  for (const r of others) for (const l of r.items) asked.set(l.itemId, (asked.get(l.itemId) ?? 0) + l.qty);
  const seen = new Set<string>();
  let amount = 0;
  for (const l of input.items) {
    if (seen.has(l.itemId)) throw new ValidationError(`Item ${l.itemId} is listed twice`, { itemId: l.itemId });
    seen.add(l.itemId);
    const left = (got.get(l.itemId) ?? 0) - (asked.get(l.itemId) ?? 0);
    if (l.qty > left)
      throw new ValidationError(`Item ${l.itemId}: ${l.qty} asked, but the entry got ${left} more that no other request asks for`, {
        itemId: l.itemId,
        qty: l.qty,
        limit: Math.max(0, left),
      });
    amount += l.qty * (bill.items.find((b) => b.itemId === l.itemId)?.unitPrice ?? 0);
  }
  amount = afterSaleRefundable(bill, amount);
  const money = await getPayment(db, snapshot.def.id, entry.id);
  const paidBack = (money?.refunded ?? 0) + (money?.refunding ?? 0);
  const open = others.reduce((s, r) => s + (r.state === 'pending' ? r.amount : 0), 0);
  const left = (money?.paid ?? 0) - paidBack - open;
  if (amount > left)
    throw new ValidationError(`The request asks for ${amount} fen, more than the ${Math.max(0, left)} fen paid and not given back`, {
      amount,
      limit: Math.max(0, left),
    });
  const now = db.clock.now();
  const record: AfterSaleRecord = {
    requestId: newId('as', now),
    campaignId: snapshot.def.id,
    entryId: entry.id,
    seq: entry.seq,
    userId: entry.userId,
    items: input.items,
    reason: input.reason,
    photos: input.photos,
    amount,
    state: 'pending',
    createdAt: now.toISOString(),
  };
  await db.doc.send(
    new PutCommand({
      TableName: db.tableName,
      Item: afterSaleItem.toItem(keys.afterSale(record.campaignId, record.requestId), record),
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return record;
}

export type AfterSaleDecision = { approve: true; amount?: number | undefined; note: string } | { approve: false; reason: string };

const alreadyDecided = (state: unknown) => new InvalidStateError('This after-sale request is already decided', { state });

/** The leader or a helper decides, once (checked by the route, access.ts); a second decision is 409. */
export async function decideAfterSale(
  db: DbContext,
  snapshot: CampaignSnapshot,
  requestId: string,
  decision: AfterSaleDecision,
  actorId: string,
): Promise<AfterSaleRecord> {
  requireAfterSaleCampaign(snapshot);
  const request = await requireAfterSale(db, snapshot.def.id, requestId);
  if (request.state !== 'pending') throw alreadyDecided(request.state);
  const at = db.clock.now().toISOString();
  const key = keys.afterSale(request.campaignId, request.requestId);
  if (!decision.approve) {
    try {
      const out = await db.doc.send(
        new UpdateCommand({
          TableName: db.tableName,
          Key: key,
          UpdateExpression: 'SET #state = :rejected, decidedAt = :at, decidedBy = :by, rejectReason = :reason',
          ConditionExpression: '#state = :pending',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':rejected': 'rejected',
            ':pending': 'pending',
            ':at': at,
            ':by': actorId,
            ':reason': decision.reason,
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return afterSaleItem.fromItem(out.Attributes ?? {});
    } catch (err) {
      const failure = conditionFailure(err);
      if (failure) throw alreadyDecided(failure.item?.state);
      throw err;
    }
  }
  const amount = decision.amount ?? request.amount;
  if (amount > request.amount)
    throw new ValidationError(`At most the ${request.amount} fen asked for can be approved`, { amount, limit: request.amount });
  const prepaid = snapshot.def.paymentMode === 'wechatpay';
  const outcome = await applyMoneyEvent(
    db,
    {
      campaignId: request.campaignId,
      entryId: request.entryId,
      seq: request.seq,
      event: 'after_sale_approved',
      amount,
      ref: `aftersale#${request.requestId}`,
      actor: actorId,
      at,
      reason: decision.note,
    },
    request.userId,
    {
      with: [
        {
          Update: {
            TableName: db.tableName,
            Key: key,
            UpdateExpression:
              'SET #state = :approved, decidedAt = :at, decidedBy = :by, approvedAmount = :amount, note = :note' +
              (prepaid ? ', refundDue = :true, #g2pk = :g2pk, #g2sk = :g2sk' : ''),
            ConditionExpression: '#state = :pending',
            ExpressionAttributeNames: {
              '#state': 'state',
              ...(prepaid ? { '#g2pk': GSI_DUE.partitionKey, '#g2sk': GSI_DUE.sortKey } : {}),
            },
            ExpressionAttributeValues: {
              ':approved': 'approved',
              ':pending': 'pending',
              ':at': at,
              ':by': actorId,
              ':amount': amount,
              ':note': decision.note,
              ...(prepaid
                ? (() => {
                    const due = indexKeys.afterSaleRefundDue(at, request.campaignId, request.requestId);
                    return { ':true': true, ':g2pk': due[GSI_DUE.partitionKey], ':g2sk': due[GSI_DUE.sortKey] };
                  })()
                : {}),
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      ],
    },
  );
  if (!outcome.applied) throw alreadyDecided(outcome.reason === 'rejected' ? outcome.item?.state : 'approved');
  return requireAfterSale(db, request.campaignId, request.requestId);
}

/**
 * Ask for an approved prepaid after-sale's refund: the entry's excess, at most the approved amount,
 * held to the PAY version read; then the request leaves the refund-plan timeline. Idempotent.
 */
export async function refundApprovedAfterSale(ctx: PaymentsContext, snapshot: CampaignSnapshot, request: AfterSaleRecord): Promise<void> {
  if (request.state !== 'approved' || !request.refundDue) return;
  const { db } = ctx;
  // What the entry costs now (0 once called off), before its discount.
  const bill =
    snapshot.state.status !== 'cancelled' && snapshot.settlement
      ? entryDue(settleEntry(snapshot.settlement, toEntry(await requireEntry(db, request.campaignId, request.entryId))))
      : 0;
  for (let attempt = 0; attempt < 5; attempt++) {
    const money = await getPayment(db, request.campaignId, request.entryId);
    if (!money) break;
    // Everything above what the entry now costs is owed back; the discount already lowered that cost,
    // so computing the excess from the totals gives the same answer whoever asks first.
    const final = Math.max(0, bill - (money.discount ?? 0));
    const excess = refundOwed(final, { paid: money.paid, refunded: money.refunded + (money.refunding ?? 0) });
    const owed = Math.min(request.approvedAmount ?? 0, excess);
    if (owed <= 0) break;
    try {
      await requestRefund(
        ctx,
        { campaignId: request.campaignId, id: request.entryId, seq: request.seq, userId: request.userId },
        owed,
        `aftersale#${request.requestId}`,
        '售后退款',
        {
          expectVersion: money.version,
        },
      );
      break;
    } catch (err) {
      if (!(err instanceof MoneyConflictError)) throw err;
    }
  }
  await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: keys.afterSale(request.campaignId, request.requestId),
      UpdateExpression: 'REMOVE refundDue, #g2pk, #g2sk',
      ExpressionAttributeNames: { '#g2pk': GSI_DUE.partitionKey, '#g2sk': GSI_DUE.sortKey },
    }),
  );
}

/** The sweep's part: every approved after-sale of the campaign whose refund is still to request. */
export async function finishAfterSaleRefunds(ctx: PaymentsContext, snapshot: CampaignSnapshot): Promise<void> {
  for (const request of await listAfterSales(ctx.db, snapshot.def.id))
    if (request.refundDue) await refundApprovedAfterSale(ctx, snapshot, request);
}
