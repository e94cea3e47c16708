import type { CampaignSnapshot } from '../campaigns/index.js';
import type { CampaignDefinition, Entry } from '../domain/index.js';
import { baseAmount, checkEntryLines, quantityDelta } from '../domain/index.js';
import { changeEntry, type EntryChange, requireEntry } from '../entries/index.js';
import { AppError, ForbiddenError, InvalidStateError, SoldOutError } from '../errors.js';
import { getOpenid } from '../people/index.js';
import { toEntry } from '../table/index.js';
import type { PaymentsContext } from './context.js';
import { joinPayment, paidMinusRefundedOrRefunding, refundExcess, topUpFor } from './entry-money.js';
import type { PrepayView } from './prepay.js';

/** What a join, change or cancel of a prepaid entry adds to its answer. */
export interface PaymentPart {
  payment?: PrepayView | null;
  paymentError?: { code: string; message: string };
  pendingItems?: Entry['items'];
}

/** Who pays a prepaid join: the member's openid, found before a number is taken. */
export interface JoinPayer {
  readonly openid: string;
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

/** Prepaid campaigns: who pays (the member's openid), checked before a number is taken. */
export async function joinPayer(ctx: PaymentsContext, userId: string): Promise<JoinPayer> {
  const openid = await getOpenid(ctx.db, userId);
  if (!openid)
    throw new InvalidStateError('Paying with WeChat Pay needs a WeChat login: sign in with POST /auth/wechat first', {
      reason: 'no_openid',
    });
  return { openid };
}

/** The join's order (made or found again), or why there is none right now. */
export function joinOrder(ctx: PaymentsContext, payer: JoinPayer, def: CampaignDefinition, entry: Entry): Promise<PaymentPart> {
  return withPayment(() => joinPayment(ctx, def, entry, payer.openid));
}

/**
 * After a prepaid entry was lowered or cancelled the excess goes back (see refundExcess). The
 * change or cancel is saved whatever WeChat Pay does: if it cannot be reached now, the answer
 * says so (`paymentError`) and the excess goes back on a retry of the request or, at the latest,
 * with the settlement's refunds (which give back everything paid above the final amount).
 */
export async function refundAfterChange(ctx: PaymentsContext, def: CampaignDefinition, entry: Entry): Promise<PaymentPart> {
  if (def.paymentMode !== 'wechatpay') return {};
  try {
    await refundExcess(ctx, def, entry);
    return {};
  } catch (err) {
    if (!(err instanceof AppError) || err.status < 500) throw err;
    ctx.logger.warn('refund after a change deferred: WeChat Pay unavailable', { campaignId: def.id, entryId: entry.id, code: err.code });
    return { paymentError: { code: err.code, message: err.message } };
  }
}

/**
 * A prepaid member asks for lines that cost more than they paid: those wait for a top-up payment
 * (the change applies when it is paid); the other fields change now. Null when this is not such
 * a change (offline campaign, lower or equal cost, entry not active).
 */
export async function raiseWithTopUp(
  ctx: PaymentsContext,
  snapshot: CampaignSnapshot,
  entryId: string,
  userId: string,
  body: EntryChange,
): Promise<{ entry: Entry; payment: PaymentPart } | null> {
  const { def } = snapshot;
  const { db } = ctx;
  if (def.paymentMode !== 'wechatpay' || !body.items) return null;
  const current = await requireEntry(db, def.id, entryId);
  // The owner check of shared/campaigns/access.ts, on the entry this step has read anyway.
  if (current.userId !== userId) throw new ForbiddenError('Only the entry owner can change it');
  if (current.status !== 'active') return null;
  checkEntryLines(def, body.items);
  if (baseAmount(def, body.items) <= (await paidMinusRefundedOrRefunding(ctx, def.id, entryId))) return null;
  // Early word on stock (it is checked again, atomically, when the top-up is paid).
  for (const [itemId, units] of quantityDelta(current.items, body.items)) {
    const remaining = snapshot.stateRecord.remaining?.[itemId];
    if (units > 0 && remaining !== undefined && remaining < units) throw new SoldOutError(itemId, remaining, units);
  }
  const { items, ...rest } = body;
  const entry = Object.values(rest).some((v) => v !== undefined)
    ? await changeEntry(db, snapshot, entryId, userId, rest)
    : toEntry(current);
  const payment = await withPayment(async () => topUpFor(ctx, def, entry, items, await getOpenid(db, userId)));
  return { entry, payment: { ...payment, pendingItems: items } };
}
