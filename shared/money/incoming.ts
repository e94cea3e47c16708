import { requireCampaign } from '../campaigns/index.js';
import type { LedgerEvent } from '../domain/index.js';
import {
  activateEntryTx,
  campaignTakesPaymentsTx,
  changeEntry,
  expireHeldEntry,
  getEntryRecord,
  leaveHoldIndex,
  reviveEntry,
} from '../entries/index.js';
import { AppError } from '../errors.js';
import type { TransactItem } from '../table/index.js';
import type { PaymentsContext } from './context.js';
import { applyMoneyEvent } from './ledger.js';
import { getOrder, markOrderClosed, type OrderRecord, orderPaidUpdate, outTradeNoFor } from './orders.js';
import { requestRefund } from './refunds.js';
import { WechatPayNotFoundError } from './wechatpay/errors.js';
import type { Transaction } from './wechatpay/resources.js';

export type PaymentOutcome = 'recorded' | 'duplicate' | 'revived' | 'refunded' | 'unknown-order' | 'not-paid' | 'paying';

/**
 * A payment WeChat reports (notification, or our query when one is missing), recorded exactly
 * once: the `paid` event is keyed by WeChat's transaction id. For the order of a join, the same
 * transaction turns the held entry active, provided the campaign is not settled. When that fails
 * because the hold expired, the entry is revived if its units are still there; otherwise, or when
 * the entry was cancelled or the campaign settled meanwhile, the payment is refunded in full.
 * Money is never silently kept.
 */
export async function recordPayment(ctx: PaymentsContext, tx: Transaction): Promise<PaymentOutcome> {
  const { db, logger } = ctx;
  if (tx.tradeState !== 'SUCCESS' || !tx.transactionId) return 'not-paid';
  const order = await getOrder(db, tx.outTradeNo);
  if (!order) {
    // Not ours (another system on the same merchant id?): nothing to attach it to. Loud, not fatal.
    logger.error('payment for an unknown order', { outTradeNo: tx.outTradeNo });
    return 'unknown-order';
  }
  const amount = tx.amountFen ?? order.amount;
  const event = {
    campaignId: order.campaignId,
    entryId: order.entryId,
    seq: order.seq,
    event: 'paid' as const,
    amount,
    ref: `paid#${tx.transactionId}`,
    actor: 'wechatpay',
    at: db.clock.now().toISOString(),
  };
  const paidOrder = orderPaidUpdate(db.tableName, order.outTradeNo, tx.transactionId, amount);
  if (amount !== order.amount) return refuseMismatch(ctx, order, event, paidOrder, tx.transactionId);
  if (order.kind === 'join') {
    const activation = await applyMoneyEvent(db, event, order.userId, {
      with: [
        paidOrder,
        activateEntryTx(db.tableName, order.campaignId, { id: order.entryId, seq: order.seq }, event.at),
        campaignTakesPaymentsTx(db.tableName, order.campaignId),
      ],
    });
    if (activation.applied) return 'recorded';
    if (activation.reason === 'duplicate') return 'duplicate';
  }
  // A top-up of an active entry, or a join whose entry is no longer held: record the money first,
  // so that whatever happens next, it is accounted for.
  const recorded = await applyMoneyEvent(db, event, order.userId, { with: [paidOrder] });
  if (!recorded.applied && recorded.reason === 'duplicate') return 'duplicate';
  if (!recorded.applied) {
    // The order was already paid by another transaction: a second payment of one order.
    await applyMoneyEvent(db, event, order.userId);
    return refundLate(ctx, order, amount, tx.transactionId, 'the order was paid twice');
  }
  if (order.kind === 'topup') return applyTopUp(ctx, order, amount, tx.transactionId);
  return placeLatePayment(ctx, order, amount, tx.transactionId);
}

/**
 * WeChat reports this order paid with another amount than we asked (a bug on one side, or an order
 * made elsewhere under our number): it pays for nothing. The money did arrive, so it is recorded
 * (the order paid, all of it refundable) and refunded in full; the entry is left as it was, so a
 * held one expires as an unpaid hold would and a top-up changes nothing. Logged at error with
 * `alarm`, which a CloudWatch metric filter counts. A repeat of the notification finds the payment
 * recorded and asks for the same refund (derived number), so a crash in between loses nothing.
 */
async function refuseMismatch(
  ctx: PaymentsContext,
  order: OrderRecord,
  event: LedgerEvent,
  paidOrder: TransactItem,
  transactionId: string,
): Promise<PaymentOutcome> {
  const recorded = await applyMoneyEvent(ctx.db, event, order.userId, { with: [paidOrder] });
  // The order was paid by another transaction already: this money is recorded on its own.
  if (!recorded.applied && recorded.reason === 'rejected') await applyMoneyEvent(ctx.db, event, order.userId);
  const duplicate = !recorded.applied && recorded.reason === 'duplicate';
  // Alarmed once per payment, not once per redelivered notification.
  (duplicate ? ctx.logger.info : ctx.logger.error)('payment amount differs from the order: refunded, not accepted', {
    ...(duplicate ? {} : { alarm: 'PAYMENT_AMOUNT_MISMATCH' }),
    campaignId: order.campaignId,
    entryId: order.entryId,
    outTradeNo: order.outTradeNo,
    transactionId,
    ordered: order.amount,
    paid: event.amount,
  });
  await requestRefund(
    ctx,
    { campaignId: order.campaignId, id: order.entryId, seq: order.seq, userId: order.userId },
    event.amount,
    `mismatch#${transactionId}`,
    `paid ${event.amount} fen for an order of ${order.amount}`,
  );
  return duplicate ? 'duplicate' : 'refunded';
}

/**
 * A paid top-up applies the lines it was made for (the raised quantity), under the same checks as
 * any change: the campaign open, stock left, the entry still active. If it cannot (or the top-up
 * was superseded by a newer one, or expired), the top-up is refunded in full.
 */
async function applyTopUp(ctx: PaymentsContext, order: OrderRecord, amount: number, transactionId: string): Promise<PaymentOutcome> {
  if (order.state !== 'created' || !order.items)
    return refundLate(ctx, order, amount, transactionId, 'a top-up that was replaced or had expired');
  try {
    const snapshot = await requireCampaign(ctx.db, order.campaignId);
    await changeEntry(ctx.db, snapshot, order.entryId, order.userId, { items: order.items });
    return 'recorded';
  } catch (err) {
    if (!(err instanceof AppError) || err.status >= 500) throw err;
    return refundLate(ctx, order, amount, transactionId, `the raised quantity could not be applied: ${err.code}`);
  }
}

/** The join's payment arrived when its entry was no longer held: revive it, or refund. */
async function placeLatePayment(ctx: PaymentsContext, order: OrderRecord, amount: number, transactionId: string): Promise<PaymentOutcome> {
  const entry = await getEntryRecord(ctx.db, order.campaignId, order.entryId);
  if (entry?.status === 'active') return 'recorded';
  if (entry?.status === 'expired') {
    const snapshot = await requireCampaign(ctx.db, order.campaignId);
    if (await reviveEntry(ctx.db, snapshot.def, entry)) {
      ctx.logger.info('late payment revived its entry', { campaignId: order.campaignId, entryId: order.entryId });
      return 'revived';
    }
  }
  return refundLate(
    ctx,
    order,
    amount,
    transactionId,
    entry?.status === 'expired' ? 'paid after the hold expired and the stock is gone' : 'paid for an entry that is no longer open',
  );
}

async function refundLate(
  ctx: PaymentsContext,
  order: OrderRecord,
  amount: number,
  transactionId: string,
  reason: string,
): Promise<PaymentOutcome> {
  ctx.logger.warn('refunding a late payment', { campaignId: order.campaignId, entryId: order.entryId, reason });
  await requestRefund(
    ctx,
    { campaignId: order.campaignId, id: order.entryId, seq: order.seq, userId: order.userId },
    amount,
    `late#${transactionId}`,
    reason,
  );
  return 'refunded';
}

/**
 * Ask WeChat about an order (a notification may be lost; the mini-program calls this after
 * wx.requestPayment succeeds) and record a payment it reports.
 */
export async function syncOrder(ctx: PaymentsContext, outTradeNo: string): Promise<PaymentOutcome> {
  try {
    const tx = await ctx.client.queryOrder(outTradeNo);
    // The member is entering their password right now: neither paid nor closable yet.
    if (tx.tradeState === 'USERPAYING') return 'paying';
    return await recordPayment(ctx, tx);
  } catch (err) {
    if (err instanceof WechatPayNotFoundError) return 'not-paid';
    throw err;
  }
}

/**
 * The hold of a prepaid entry ended. First ask WeChat whether it was paid after all (the
 * notification may be late or lost); if not, close the order so it can no longer be paid and expire
 * the entry: its units go back on sale, its number shows as expired and is never reused.
 */
export async function endHold(ctx: PaymentsContext, campaignId: string, entryId: string): Promise<'paid' | 'expired' | 'not-held'> {
  const { db } = ctx;
  const entry = await getEntryRecord(db, campaignId, entryId);
  if (entry?.status !== 'pending_payment') {
    if (entry) await leaveHoldIndex(db, campaignId, entry);
    return 'not-held';
  }
  const outTradeNo = outTradeNoFor(campaignId, entryId, 1);
  const outcome = await syncOrder(ctx, outTradeNo);
  if (outcome === 'paying') return 'not-held'; // asked again at the next sweep
  const unpaid = outcome === 'not-paid' || outcome === 'unknown-order';
  // Paid after all: the entry is active now, or (campaign settled meanwhile) still held while its
  // money is refunded, and then it expires like an unpaid one.
  const current = unpaid ? entry : await getEntryRecord(db, campaignId, entryId);
  if (current?.status !== 'pending_payment') return 'paid';
  if (unpaid) {
    try {
      await ctx.client.closeOrder(outTradeNo);
    } catch (err) {
      if (!(err instanceof WechatPayNotFoundError)) ctx.logger.warn('could not close an expired order', { outTradeNo, err });
    }
    await markOrderClosed(db, outTradeNo);
  }
  await expireHeldEntry(db, (await requireCampaign(db, campaignId)).def, current);
  return unpaid ? 'expired' : 'paid';
}
