import { markOrderClosed, type OrderRecord } from '../db/payment-orders.js';
import { getPayment } from '../db/payments.js';
import { baseAmount } from '../domain/payments.js';
import type { CampaignDefinition, Entry } from '../domain/types.js';
import type { PaymentsContext } from './context.js';
import { entryOrders, prepayOrder, type PrepayView } from './prepay.js';
import { requestRefund } from './refunds.js';
import { WechatPayNotFoundError } from './wechatpay/errors.js';

/** When a prepaid join's order stops being payable: the end of its hold, and never after the deadline. */
export function holdEnd(def: CampaignDefinition, now: Date): Date {
  return new Date(Math.min(now.getTime() + def.paymentHoldMinutes * 60_000, Date.parse(def.closesAt)));
}

/** The order a held entry pays with (order 1: the join), made or found again. */
export async function joinPayment(ctx: PaymentsContext, def: CampaignDefinition, entry: Entry, payerOpenid: string | null): Promise<PrepayView> {
  return prepayOrder(ctx, def, entry, {
    n: 1,
    kind: 'join',
    amount: baseAmount(def, entry.items),
    expiresAt: new Date(entry.holdUntil ?? holdEnd(def, ctx.db.clock.now()).toISOString()),
    payerOpenid,
  });
}

/**
 * After an active prepaid entry changed or was cancelled, bring its money in line with what it
 * now costs at base price (0 once cancelled): more → a top-up order for the difference (older
 * unpaid top-ups are closed, so only one is ever payable); less → a refund of the excess. Money on
 * its way back counts as given back, and refunds are keyed by the entry's version, so a repeat
 * refunds nothing twice.
 */
export async function reconcileEntryMoney(ctx: PaymentsContext, def: CampaignDefinition, entry: Entry, payerOpenid: string | null): Promise<PrepayView | null> {
  const due = entry.status === 'active' ? baseAmount(def, entry.items) : 0;
  const money = await getPayment(ctx.db, def.id, entry.id);
  const net = (money?.paid ?? 0) - (money?.refunded ?? 0) - (money?.refunding ?? 0);
  const orders = await entryOrders(ctx, def.id, entry.id);
  for (const order of orders) if (order.state === 'created' && (order.kind === 'topup' || entry.status !== 'active' && entry.status !== 'pending_payment')) await closeOrder(ctx, order);
  if (due < net) {
    const purpose = `${entry.status === 'active' ? 'reduce' : 'cancel'}#${entry.version}`;
    await requestRefund(ctx, { ...entry }, net - due, purpose, entry.status === 'active' ? '减少数量退款' : '取消接龙退款');
    return null;
  }
  if (due > net && entry.status === 'active') {
    return prepayOrder(ctx, def, entry, {
      n: (money?.orderCount ?? 0) + 1,
      kind: 'topup',
      amount: due - net,
      expiresAt: holdEnd(def, ctx.db.clock.now()),
      payerOpenid,
    });
  }
  return null;
}

async function closeOrder(ctx: PaymentsContext, order: OrderRecord): Promise<void> {
  try {
    await ctx.client.closeOrder(order.outTradeNo);
  } catch (err) {
    // Already gone at WeChat is fine; if WeChat is unreachable the order still expires by itself
    // (time_expire), and a payment that slips through is refunded or counted by recordPayment.
    if (!(err instanceof WechatPayNotFoundError)) ctx.logger.warn('could not close an order', { outTradeNo: order.outTradeNo, err });
  }
  await markOrderClosed(ctx.db, order.outTradeNo);
}
