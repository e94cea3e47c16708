import type { CampaignSnapshot } from '../../shared/campaigns/index.js';
import type { CampaignDefinition, Entry } from '../../shared/domain/index.js';
import { baseAmount, checkEntryLines, quantityDelta } from '../../shared/domain/index.js';
import { changeEntry, type EntryChange, requireEntry } from '../../shared/entries/index.js';
import { AppError, ForbiddenError, InvalidStateError, ServiceUnavailableError, SoldOutError } from '../../shared/errors.js';
import type { PaymentsContext, PrepayView } from '../../shared/money/index.js';
import { joinPayment, netPaid, refundExcess, topUpFor } from '../../shared/money/index.js';
import { getOpenid } from '../../shared/people/index.js';
import { toEntry } from '../../shared/table/index.js';
import { type AppDeps, paymentsContext } from '../env.js';

/** What a join, change or cancel of a prepaid entry adds to its answer. */
export interface PaymentPart {
  payment?: PrepayView | null;
  paymentError?: { code: string; message: string };
  pendingItems?: Entry['items'];
}

/**
 * The entry is written whatever WeChat Pay does next: when it cannot create the order right now,
 * the answer still carries the entry, with `payment: null` and why; the mini-program asks again
 * with POST …/payment/prepay (the same order) while the hold lasts.
 */
async function withPayment(make: () => Promise<PrepayView | null>): Promise<PaymentPart> {
  try {
    return { payment: await make() };
  } catch (err) {
    if (err instanceof AppError && err.status >= 500) return { payment: null, paymentError: { code: err.code, message: err.message } };
    throw err;
  }
}

/**
 * The money side of the entry routes (prepaid campaigns only; offline ones pass through without
 * any I/O): who pays a join, the join's order, a raise that waits for a top-up, refunds after a
 * lowering or a cancel.
 */
export function entryMoney(deps: AppDeps) {
  const { db } = deps;
  const payCtx = paymentsContext(deps);

  /** Prepaid campaigns: who pays (the member's openid), checked before a number is taken. Null: nothing to pay. */
  async function paymentsForJoin(
    def: CampaignDefinition,
    items: Entry['items'],
    userId: string,
  ): Promise<{ ctx: PaymentsContext; openid: string } | null> {
    if (def.paymentMode !== 'wechatpay' || baseAmount(def, items) === 0) return null;
    if (!payCtx) throw new ServiceUnavailableError('WeChat Pay is not configured on this server; prepaid campaigns cannot be joined');
    const openid = await getOpenid(db, userId);
    if (!openid)
      throw new InvalidStateError('Paying with WeChat Pay needs a WeChat login: sign in with POST /auth/wechat first', {
        reason: 'no_openid',
      });
    return { ctx: payCtx, openid };
  }

  /** After a prepaid entry was lowered or cancelled: the excess goes back (see refundExcess). */
  /**
   * The change or cancel is saved whatever WeChat Pay does: if it cannot be reached now, the answer
   * says so (`paymentError`) and the excess goes back on a retry of the request or, at the latest,
   * with the settlement's refunds (which give back everything paid above the final amount).
   */
  async function refundIfPrepaid(def: CampaignDefinition, entry: Entry): Promise<PaymentPart> {
    if (def.paymentMode !== 'wechatpay' || !payCtx) return {};
    try {
      await refundExcess(payCtx, def, entry);
      return {};
    } catch (err) {
      if (!(err instanceof AppError) || err.status < 500) throw err;
      deps.logger.warn('refund after a change deferred: WeChat Pay unavailable', { campaignId: def.id, entryId: entry.id, code: err.code });
      return { paymentError: { code: err.code, message: err.message } };
    }
  }

  /**
   * A prepaid member asks for lines that cost more than they paid: those wait for a top-up payment
   * (the change applies when it is paid); the other fields change now. Null when this is not such
   * a change (offline campaign, lower or equal cost, entry not active).
   */
  async function raiseWithTopUp(snapshot: CampaignSnapshot, entryId: string, userId: string, body: EntryChange) {
    const { def } = snapshot;
    if (def.paymentMode !== 'wechatpay' || !payCtx || !body.items) return null;
    const current = await requireEntry(db, def.id, entryId);
    if (current.userId !== userId) throw new ForbiddenError('Only the entry owner can change it');
    if (current.status !== 'active') return null;
    checkEntryLines(def, body.items);
    if (baseAmount(def, body.items) <= (await netPaid(payCtx, def.id, entryId))) return null;
    // Early word on stock (it is checked again, atomically, when the top-up is paid).
    for (const [itemId, units] of quantityDelta(current.items, body.items)) {
      const remaining = snapshot.stateRecord.remaining?.[itemId];
      if (units > 0 && remaining !== undefined && remaining < units) throw new SoldOutError(itemId, remaining, units);
    }
    const { items, ...rest } = body;
    const entry = Object.values(rest).some((v) => v !== undefined)
      ? await changeEntry(db, snapshot, entryId, userId, rest)
      : toEntry(current);
    const payment = await withPayment(async () => topUpFor(payCtx, def, entry, items, await getOpenid(db, userId)));
    return { entry, payment: { ...payment, pendingItems: items } };
  }

  return {
    paymentsForJoin,
    refundIfPrepaid,
    raiseWithTopUp,
    /** The join's order (made or found again), or why there is none right now. */
    joinPayment: (payer: { ctx: PaymentsContext; openid: string }, def: CampaignDefinition, entry: Entry) =>
      withPayment(() => joinPayment(payer.ctx, def, entry, payer.openid)),
  };
}
