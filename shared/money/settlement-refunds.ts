import type { CampaignDefinition, SettlementSummary } from '../domain/index.js';
import { refundOwed } from '../domain/index.js';
import { allEntries } from '../entries/index.js';
import { deleteRefundPlan, settlementEntries } from '../settlement/index.js';
import type { PaymentsContext } from './context.js';
import { endHold } from './incoming.js';
import { allPayments } from './ledger.js';
import { requestRefund } from './refunds.js';

/**
 * 退差价 at settlement: every entry that paid more than its final amount gets the difference back;
 * a failed group's entries, and cancelled or expired ones, finally cost 0 and get everything back.
 * Money already on its way back (refunding) counts, and every refund's out_refund_no is derived
 * from entry, order and the purpose `settle`, so running this again refunds nothing twice.
 */
export async function refundAfterSettlement(
  ctx: PaymentsContext,
  def: CampaignDefinition,
  summary: SettlementSummary,
  /** stop after this long (a request must answer; the sweep finishes the pass): complete is then false */
  budgetMs = Number.POSITIVE_INFINITY,
): Promise<{ refunds: number; amount: number; complete: boolean }> {
  const started = Date.now();
  const finals = new Map<string, number>();
  for await (const bill of settlementEntries(ctx.db, summary)) finals.set(bill.entryId, bill.amount);
  let refunds = 0;
  let amount = 0;
  for (const money of (await allPayments(ctx.db, def.id)).values()) {
    if (Date.now() - started > budgetMs) return { refunds, amount, complete: false };
    const owed = refundOwed(finals.get(money.entryId) ?? 0, { paid: money.paid, refunded: money.refunded + (money.refunding ?? 0) });
    if (owed <= 0) continue;
    const created = await requestRefund(
      ctx,
      { campaignId: def.id, id: money.entryId, seq: money.seq, userId: money.userId },
      owed,
      'settle',
      summary.status === 'failed' ? '成团失败，全额退款' : '按成交价退差价',
    );
    refunds += created.length;
    amount += created.reduce((s, r) => s + r.amount, 0);
  }
  return { refunds, amount, complete: true };
}

/** How long the settle request itself spends on refunds before leaving the rest to the sweep. */
export const SETTLE_REFUND_BUDGET_MS = 3_000;

/**
 * Right after a prepaid campaign settled (the settle transaction wrote the marker that its refunds
 * are owed): end the holds still open and request the refunds now, for at most `budgetMs` (a
 * campaign of thousands of prepaid entries has as many WeChat calls to make), clearing the marker
 * once every one is requested. If this is cut short, the sweep finishes it from the marker.
 */
export async function afterSettlement(
  ctx: PaymentsContext,
  def: CampaignDefinition,
  summary: SettlementSummary,
  budgetMs = SETTLE_REFUND_BUDGET_MS,
): Promise<void> {
  if (def.paymentMode !== 'wechatpay') return;
  try {
    // Held entries left (a leader settling before their holds ended): settled now, paid or expired;
    // a payment that came in is refunded, since the settlement no longer counts it.
    for await (const e of allEntries(ctx.db, def.id)) if (e.status === 'pending_payment') await endHold(ctx, def.id, e.id);
    if ((await refundAfterSettlement(ctx, def, summary, budgetMs)).complete) await deleteRefundPlan(ctx.db, def.id);
  } catch (err) {
    ctx.logger.error('settlement refunds interrupted; the sweep will finish them', { campaignId: def.id, err });
  }
}
