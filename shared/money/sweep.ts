import { requireCampaign } from '../campaigns/index.js';
import { deleteRefundPlan } from '../settlement/index.js';
import { finishAfterSaleRefunds } from './after-sales.js';
import type { PaymentsContext } from './context.js';
import { endHold } from './incoming.js';
import { getOrder, getRefund } from './orders.js';
import { applyRefundResult, attemptRefund } from './refunds.js';
import { refundOwedPass } from './settlement-refunds.js';
import type { RefundNotice } from './wechatpay/resources.js';

/** A worker's share of one campaign's settlement refunds; the next unit goes on (each pass skips what is requested). */
const REFUND_PLAN_BUDGET_MS = 30_000;

/**
 * The money side of deadline work, one unit at a time (shared/jobs hands each to a queue; a worker
 * calls one of these), each idempotent so a repeated or overlapping unit is harmless.
 *  - a hold that ended: paid after all (order query), else the entry expires;
 *  - a settled prepaid campaign whose refunds are not all requested yet: one budgeted pass;
 *  - a refund due: first try, retry with backoff, or a status check of a processing one.
 */
export async function endDueHold(ctx: PaymentsContext, campaignId: string, entryId: string): Promise<'paid' | 'expired' | 'not-held'> {
  return endHold(ctx, campaignId, entryId);
}

/** True when every refund owed (settlement, shortage or call-off) is requested (the plan's marker is then gone). */
export async function continueRefundPlan(ctx: PaymentsContext, campaignId: string, budgetMs = REFUND_PLAN_BUDGET_MS): Promise<boolean> {
  const snapshot = await requireCampaign(ctx.db, campaignId);
  // Approved after-sales first (their refunds are named by the request), then the phase's pass.
  await finishAfterSaleRefunds(ctx, snapshot);
  const pass = await refundOwedPass(ctx, snapshot, budgetMs);
  if (pass.complete) await deleteRefundPlan(ctx.db, campaignId, pass.phase);
  return pass.complete;
}

/** False when there was nothing to try (unknown, or already final). */
export async function retryDueRefund(ctx: PaymentsContext, campaignId: string, outRefundNo: string): Promise<boolean> {
  const refund = await getRefund(ctx.db, campaignId, outRefundNo);
  if (!refund || refund.state === 'succeeded' || refund.state === 'failed') return false;
  await attemptRefund(ctx, refund);
  return true;
}

/** A REFUND.* notification: find the refund through its order and record what WeChat says. */
export async function recordRefundNotice(
  ctx: PaymentsContext,
  eventType: 'REFUND.SUCCESS' | 'REFUND.ABNORMAL' | 'REFUND.CLOSED',
  notice: RefundNotice,
): Promise<boolean> {
  const order = await getOrder(ctx.db, notice.outTradeNo);
  const refund = order ? await getRefund(ctx.db, order.campaignId, notice.outRefundNo) : null;
  if (!refund) {
    ctx.logger.error('refund notification for an unknown refund', { outTradeNo: notice.outTradeNo, outRefundNo: notice.outRefundNo });
    return false;
  }
  const status = eventType === 'REFUND.SUCCESS' ? 'SUCCESS' : eventType === 'REFUND.ABNORMAL' ? 'ABNORMAL' : 'CLOSED';
  await applyRefundResult(ctx, refund, { status, refundId: notice.refundId });
  return true;
}
