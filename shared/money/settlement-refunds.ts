import { type CampaignSnapshot, requireCampaign } from '../campaigns/index.js';
import type { CampaignDefinition, SettlementSummary } from '../domain/index.js';
import { entryDue, refundOwed } from '../domain/index.js';
import { allEntries } from '../entries/index.js';
import { deleteRefundPlan, type RefundPhase, refundPhase, settlementEntries } from '../settlement/index.js';
import type { PaymentsContext } from './context.js';
import { endHold } from './incoming.js';
import { allPayments, getPayment, MoneyConflictError, type PaymentRecord } from './ledger.js';
import { requestRefund } from './refunds.js';

/** What each entry finally costs now: nothing once called off; else its bill under the settlement (after any shortage). */
async function finalAmounts(ctx: PaymentsContext, snapshot: CampaignSnapshot): Promise<Map<string, number> | null> {
  const finals = new Map<string, number>();
  if (snapshot.state.status === 'cancelled') return finals;
  if (!snapshot.settlement) return null;
  // Points reserved on an entry come off what it costs (settlement's pointsDiscount): its 退差价 includes them.
  for await (const bill of settlementEntries(ctx.db, snapshot.settlement)) finals.set(bill.entryId, entryDue(bill));
  return finals;
}

const PHASE_REASON: Record<RefundPhase, (summary: SettlementSummary | null) => string> = {
  settle: (summary) => (summary?.status === 'failed' ? '成团失败，全额退款' : '按成交价退差价'),
  shortage: () => '缺货退款',
  calloff: () => '团购已取消，全额退款',
};

/**
 * The refunds a campaign owes after what last changed its costs (refund-plan.ts: the settlement's
 * 退差价 or a failed group's full refunds, a shortage, a call-off): every entry that paid more than
 * it finally costs gets the difference back, and cancelled or expired entries (all of them, once
 * called off) cost 0. Money already on its way back (refunding) counts, and every refund's
 * out_refund_no is derived from entry, order and the phase, so running this again refunds nothing twice.
 */
export async function refundOwedPass(
  ctx: PaymentsContext,
  snapshot: CampaignSnapshot,
  /** stop after this long (a request must answer; the sweep finishes the pass): complete is then false */
  budgetMs = Number.POSITIVE_INFINITY,
): Promise<{ refunds: number; amount: number; complete: boolean; phase: RefundPhase }> {
  const started = Date.now();
  const phase = refundPhase(snapshot);
  const finals = await finalAmounts(ctx, snapshot);
  let refunds = 0;
  let amount = 0;
  if (!finals) return { refunds, amount, complete: true, phase };
  for (const read of (await allPayments(ctx.db, snapshot.def.id)).values()) {
    if (Date.now() - started > budgetMs) return { refunds, amount, complete: false, phase };
    let money: PaymentRecord | null = read;
    // The excess is computed from the PAY record and requested only while that record is unchanged:
    // another pass (an earlier phase still running, a repeat) that refunded meanwhile makes us read again.
    for (let attempt = 0; money && attempt < 5; attempt++) {
      // Approved after-sales (PAY discount) come off what the entry finally costs.
      const final = Math.max(0, (finals.get(money.entryId) ?? 0) - (money.discount ?? 0));
      const owed = refundOwed(final, { paid: money.paid, refunded: money.refunded + (money.refunding ?? 0) });
      if (owed <= 0) break;
      try {
        const created = await requestRefund(
          ctx,
          { campaignId: snapshot.def.id, id: money.entryId, seq: money.seq, userId: money.userId },
          owed,
          phase,
          PHASE_REASON[phase](snapshot.settlement),
          { expectVersion: money.version },
        );
        refunds += created.length;
        amount += created.reduce((s, r) => s + r.amount, 0);
        break;
      } catch (err) {
        if (!(err instanceof MoneyConflictError)) throw err;
        money = await getPayment(ctx.db, snapshot.def.id, money.entryId);
      }
    }
  }
  return { refunds, amount, complete: true, phase };
}

/** How long the request itself spends on refunds before leaving the rest to the sweep. */
export const SETTLE_REFUND_BUDGET_MS = 3_000;

/**
 * Right after a prepaid campaign's costs changed (settled, a shortage, called off; that transaction
 * wrote the marker that refunds are owed): end the holds still open and request the refunds now, for
 * at most `budgetMs` (a campaign of thousands of prepaid entries has as many WeChat calls to make),
 * clearing the marker once every one is requested. If this is cut short, the sweep finishes it from the marker.
 */
export async function refundsAfterChange(ctx: PaymentsContext, def: CampaignDefinition, budgetMs = SETTLE_REFUND_BUDGET_MS): Promise<void> {
  if (def.paymentMode !== 'wechatpay') return;
  try {
    // Held entries left (settled or called off before their holds ended): paid or expired now;
    // a payment that came in is refunded, since the settlement (or the call-off) no longer counts it.
    for await (const e of allEntries(ctx.db, def.id)) if (e.status === 'pending_payment') await endHold(ctx, def.id, e.id);
    const pass = await refundOwedPass(ctx, await requireCampaign(ctx.db, def.id), budgetMs);
    if (pass.complete) await deleteRefundPlan(ctx.db, def.id, pass.phase);
  } catch (err) {
    ctx.logger.error('refunds interrupted; the sweep will finish them', { campaignId: def.id, err });
  }
}

/** Just settled: the settlement's refunds (see refundsAfterChange). */
export async function afterSettlement(
  ctx: PaymentsContext,
  def: CampaignDefinition,
  _summary: SettlementSummary,
  budgetMs = SETTLE_REFUND_BUDGET_MS,
): Promise<void> {
  await refundsAfterChange(ctx, def, budgetMs);
}
