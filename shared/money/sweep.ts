import { requireCampaign } from '../campaigns/index.js';
import { deleteRefundPlan } from '../settlement/index.js';
import { indexKeys, listDue } from '../table/index.js';
import type { PaymentsContext } from './context.js';
import { endHold } from './incoming.js';
import { getOrder, getRefund } from './orders.js';
import { applyRefundResult, attemptRefund } from './refunds.js';
import { refundAfterSettlement } from './settlement-refunds.js';
import type { RefundNotice } from './wechatpay/resources.js';

/** A sweep's share of one campaign's settlement refunds; the next sweep goes on (each pass skips what is requested). */
const SWEEP_REFUND_BUDGET_MS = 30_000;

export interface PaymentSweepReport {
  holdsEnded: number;
  refundPlansDone: number;
  refundsTried: number;
  failures: number;
}

/**
 * The money part of the sweep (every minute in the cloud, every 30 s under `npm start`), each step
 * idempotent so overlapping sweeps are harmless. Holds end before due campaigns settle (phase
 * `holds`): a hold never outlasts the deadline, and a payment made just before it whose
 * notification is late is found by the order query and counted, not refunded. Then `refunds`:
 *   1. holds that ended: paid after all (order query), else the entry expires;
 *   2. settled prepaid campaigns whose refunds are not all requested yet;
 *   3. refunds due: first tries, retries with backoff, status checks of processing ones.
 */
export async function sweepPayments(
  ctx: PaymentsContext,
  limit = 100,
  phase: 'holds' | 'refunds' | 'all' = 'all',
  report: PaymentSweepReport = emptyReport(),
): Promise<PaymentSweepReport> {
  const now = ctx.db.clock.now().toISOString();
  const guard = async (what: string, ids: Record<string, string>, work: () => Promise<unknown>) => {
    try {
      await work();
      return true;
    } catch (err) {
      report.failures++;
      ctx.logger.error(`payment sweep: ${what} failed`, { ...ids, err });
      return false;
    }
  };
  if (phase !== 'refunds') {
    for (const { campaignId, id } of await listDue(ctx.db, indexKeys.holdPartition, now, limit)) {
      if (await guard('ending a hold', { campaignId, entryId: id }, () => endHold(ctx, campaignId, id))) report.holdsEnded++;
    }
  }
  if (phase === 'holds') return report;
  for (const { campaignId } of await listDue(ctx.db, indexKeys.refundPlanPartition, now, limit)) {
    const done = await guard('settlement refunds', { campaignId }, async () => {
      const snapshot = await requireCampaign(ctx.db, campaignId);
      const pass = snapshot.settlement
        ? await refundAfterSettlement(ctx, snapshot.def, snapshot.settlement, SWEEP_REFUND_BUDGET_MS)
        : { complete: true };
      if (pass.complete) await deleteRefundPlan(ctx.db, campaignId);
    });
    if (done) report.refundPlansDone++;
  }
  for (const { campaignId, id } of await listDue(ctx.db, indexKeys.refundDuePartition, now, limit)) {
    await guard('a refund', { campaignId, outRefundNo: id }, async () => {
      const refund = await getRefund(ctx.db, campaignId, id);
      if (refund && refund.state !== 'succeeded' && refund.state !== 'failed') {
        await attemptRefund(ctx, refund);
        report.refundsTried++;
      }
    });
  }
  return report;
}

export const emptyReport = (): PaymentSweepReport => ({ holdsEnded: 0, refundPlansDone: 0, refundsTried: 0, failures: 0 });

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
