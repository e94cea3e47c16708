import type { CampaignDefinition, Entry, EntryLine } from '../domain/index.js';
import { baseAmount } from '../domain/index.js';
import type { PaymentsContext } from './context.js';
import { syncOrder } from './incoming.js';
import { getPayment, type PaymentRecord } from './ledger.js';
import { markOrderClosed, type OrderRecord } from './orders.js';
import { entryOrders, type PrepayView, prepayOrder } from './prepay.js';
import { requestRefund } from './refunds.js';
import { WechatPayNotFoundError } from './wechatpay/errors.js';

/** When a prepaid join's order stops being payable: the end of its hold, and never after the deadline. */
export function holdEnd(def: CampaignDefinition, now: Date): Date {
  return new Date(Math.min(now.getTime() + def.paymentHoldMinutes * 60_000, Date.parse(def.closesAt)));
}

/** The order a held entry pays with (order 1: the join), made or found again. */
export async function joinPayment(
  ctx: PaymentsContext,
  def: CampaignDefinition,
  entry: Entry,
  payerOpenid: string | null,
): Promise<PrepayView> {
  return prepayOrder(ctx, def, entry, {
    n: 1,
    kind: 'join',
    amount: baseAmount(def, entry.items),
    expiresAt: new Date(entry.holdUntil ?? holdEnd(def, ctx.db.clock.now()).toISOString()),
    payerOpenid,
  });
}

/** What an entry has paid and not had back, nor has on its way back. */
const kept = (money: PaymentRecord | null) => (money?.paid ?? 0) - (money?.refunded ?? 0) - (money?.refunding ?? 0);

/** What an entry has paid, less what was refunded and what is on its way back (the money the leader keeps). */
export async function paidMinusRefundedOrRefunding(ctx: PaymentsContext, campaignId: string, entryId: string): Promise<number> {
  return kept(await getPayment(ctx.db, campaignId, entryId));
}

/**
 * A member of a prepaid campaign raises their quantity: the new lines cost more than they paid, so
 * nothing changes yet; a top-up order for the difference carries the new lines, and paying it
 * applies them (incoming.ts), stock and window permitting, else it is refunded. Older unpaid
 * top-ups are closed first, so only the latest wish is payable.
 */
export async function topUpFor(
  ctx: PaymentsContext,
  def: CampaignDefinition,
  entry: Entry,
  items: EntryLine[],
  payerOpenid: string | null,
): Promise<PrepayView> {
  let money = await getPayment(ctx.db, def.id, entry.id);
  if (await closeUnpaid(ctx, def.id, entry.id, money, (o) => o.kind === 'topup')) money = await getPayment(ctx.db, def.id, entry.id);
  return prepayOrder(ctx, def, entry, {
    n: (money?.orderCount ?? 0) + 1,
    kind: 'topup',
    amount: baseAmount(def, items) - kept(money),
    expiresAt: holdEnd(def, ctx.db.clock.now()),
    payerOpenid,
    items,
  });
}

/** The newest unpaid top-up of an entry, with fresh wx.requestPayment parameters; null if none. */
export async function pendingTopUp(
  ctx: PaymentsContext,
  def: CampaignDefinition,
  entry: Entry,
  payerOpenid: string | null,
): Promise<PrepayView | null> {
  const open = (await entryOrders(ctx, def.id, entry.id)).filter(
    (o) => o.kind === 'topup' && o.state === 'created' && Date.parse(o.expiresAt) > ctx.db.clock.now().getTime(),
  );
  const latest = open.at(-1);
  if (!latest) return null;
  return prepayOrder(ctx, def, entry, {
    n: latest.n,
    kind: 'topup',
    amount: latest.amount,
    expiresAt: new Date(latest.expiresAt),
    payerOpenid,
    ...(latest.items ? { items: latest.items } : {}),
  });
}

/**
 * After a prepaid entry was lowered or cancelled: refund what it paid above what it now costs at
 * base price (0 once cancelled), and close its orders that can no longer be wanted (every unpaid
 * one once cancelled; unpaid top-ups after any change, since they were priced from old lines).
 * Money on its way back counts as given back, and refunds are keyed by the entry's version, so a
 * repeat refunds nothing twice.
 */
export async function refundExcess(ctx: PaymentsContext, def: CampaignDefinition, entry: Entry): Promise<void> {
  const active = entry.status === 'active';
  let money = await getPayment(ctx.db, def.id, entry.id);
  if (await closeUnpaid(ctx, def.id, entry.id, money, (o) => o.kind === 'topup' || !active))
    money = await getPayment(ctx.db, def.id, entry.id);
  if (!active && entry.status !== 'cancelled') return;
  const due = active ? baseAmount(def, entry.items) : 0;
  const net = kept(money);
  if (due >= net) return;
  await requestRefund(ctx, entry, net - due, `${active ? 'reduce' : 'cancel'}#${entry.version}`, active ? '减少数量退款' : '取消接龙退款');
}

/** Close the entry's unpaid orders that `which` picks; true if one turned out paid (its money moved). */
async function closeUnpaid(
  ctx: PaymentsContext,
  campaignId: string,
  entryId: string,
  money: PaymentRecord | null,
  which: (o: OrderRecord) => boolean,
): Promise<boolean> {
  let moved = false;
  for (const order of await entryOrders(ctx, campaignId, entryId, money)) {
    if (order.state !== 'created' || !which(order)) continue;
    // Paid already, with the notification late or lost? Then it is counted (and, for an entry that
    // no longer wants it, refunded) instead of being closed over and kept without a record.
    const outcome = await syncOrder(ctx, order.outTradeNo);
    if (outcome === 'paying') continue; // being paid right now: its notification decides
    if (outcome !== 'not-paid' && outcome !== 'unknown-order') {
      moved = true;
      continue;
    }
    try {
      await ctx.client.closeOrder(order.outTradeNo);
    } catch (err) {
      // Already gone at WeChat is fine; if WeChat is unreachable the order still expires by itself
      // (time_expire), and a payment that slips through is refunded by recordPayment.
      if (!(err instanceof WechatPayNotFoundError)) ctx.logger.warn('could not close an order', { outTradeNo: order.outTradeNo, err });
    }
    await markOrderClosed(ctx.db, order.outTradeNo);
  }
  return moved;
}
