import { ConflictError, InvalidStateError } from '../errors.js';
import type { PaymentsContext } from './context.js';
import { applyMoneyEvent } from './ledger.js';
import {
  getOrder,
  getRefund,
  newRefund,
  type RefundRecord,
  refundReplaced,
  refundRetryNo,
  refundUpdate,
  takeRefundable,
} from './orders.js';
import { attemptRefund, MAX_REFUND_ATTEMPTS } from './refunds.js';

/**
 * The leader asks to try a given-up refund again; its amount counts as on its way back again.
 *  - Given up after WeChat's errors, or ABNORMAL: the same out_refund_no is asked again. WeChat
 *    answers a repeat with that refund as it stands (paid by now, or still stuck), so it can never
 *    pay out twice, and an ABNORMAL one whose money WeChat holds is found once it is paid out.
 *  - CLOSED by WeChat: that number is dead and its amount was given back to the order, so a new
 *    refund takes it again under the next number (refundRetryNo), capped by what the order still
 *    has refundable.
 */
export async function retryRefund(ctx: PaymentsContext, refund: RefundRecord): Promise<RefundRecord> {
  if (refund.closed) return retryUnderNewNumber(ctx, refund);
  const now = ctx.db.clock.now().toISOString();
  const outcome = await applyMoneyEvent(
    ctx.db,
    {
      campaignId: refund.campaignId,
      entryId: refund.entryId,
      seq: refund.seq,
      event: 'refund_requested',
      amount: refund.amount,
      ref: `refund#${refund.outRefundNo}#retry${refund.attempts}`,
      actor: 'system',
      at: now,
      reason: 'retried by the leader',
    },
    refund.userId,
    {
      with: [
        refundUpdate(
          ctx.db.tableName,
          refund,
          { state: 'pending', attemptsLimit: refund.attempts + MAX_REFUND_ATTEMPTS, nextAttemptAt: now },
          now,
          'failed',
          true,
        ),
      ],
    },
  );
  const current = (await getRefund(ctx.db, refund.campaignId, refund.outRefundNo))!;
  // WeChat closed it meanwhile: then it is retried under a new number after all.
  if (!outcome.applied && current.closed && !current.replacedBy) return retryUnderNewNumber(ctx, current);
  if (outcome.applied) await attemptRefund(ctx, current);
  return (await getRefund(ctx.db, refund.campaignId, refund.outRefundNo))!;
}

/**
 * The retry of a closed refund: in one transaction the `refund_requested` event of the new number,
 * its amount taken from the order's refundable money (under a condition, so never more than is
 * left), the new refund, and the closed one marked replaced by it (once). Two retries at once
 * compute the same number: one lands, the other finds it. Then it is tried at once.
 */
async function retryUnderNewNumber(ctx: PaymentsContext, closed: RefundRecord): Promise<RefundRecord> {
  const { db } = ctx;
  const outRefundNo = refundRetryNo(closed);
  for (let attempt = 0; attempt < 4; attempt++) {
    const order = await getOrder(db, closed.outTradeNo);
    const take = Math.min(closed.amount, order?.refundable ?? 0);
    if (take <= 0) {
      const made = await getRefund(db, closed.campaignId, outRefundNo);
      if (made) return made;
      throw new InvalidStateError('Nothing of this order is left to refund', { outTradeNo: closed.outTradeNo, refundable: 0 });
    }
    const now = db.clock.now().toISOString();
    const { closed: _c, replacedBy: _r, refundId: _i, attemptsLimit: _l, ...rest } = closed;
    const next: RefundRecord = {
      ...rest,
      outRefundNo,
      amount: take,
      state: 'pending',
      attempts: 0,
      lastError: null,
      nextAttemptAt: now,
      retryOf: closed.retryOf ?? closed.outRefundNo,
      generation: (closed.generation ?? 1) + 1,
      createdAt: now,
      updatedAt: now,
    };
    const outcome = await applyMoneyEvent(
      db,
      {
        campaignId: closed.campaignId,
        entryId: closed.entryId,
        seq: closed.seq,
        event: 'refund_requested',
        amount: take,
        ref: `refund#${outRefundNo}`,
        actor: 'system',
        at: now,
        reason: `retried by the leader after WeChat Pay closed ${closed.outRefundNo}`,
      },
      closed.userId,
      {
        with: [
          takeRefundable(db.tableName, closed.outTradeNo, take),
          newRefund(db.tableName, next),
          refundReplaced(db.tableName, closed, outRefundNo, now),
        ],
      },
    );
    if (outcome.applied) {
      await attemptRefund(ctx, next);
      return (await getRefund(db, closed.campaignId, outRefundNo))!;
    }
    // Another retry made it first (the same event, the new refund, or the replacement is there).
    const made = await getRefund(db, closed.campaignId, outRefundNo);
    if (made) return made;
    // Only the order's refundable money moved (another refund took some): take what is left now.
  }
  throw new ConflictError('The order kept changing while the refund was retried; retry');
}
