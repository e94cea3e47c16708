import type { CampaignDefinition, Entry } from '../domain/index.js';
import { InvalidStateError } from '../errors.js';
import type { PaymentsContext } from './context.js';
import { applyMoneyEvent, getPayment, type PaymentRecord } from './ledger.js';
import { orderDescription } from './order-description.js';
import { getOrders, type OrderKind, type OrderRecord, outTradeNoFor, putOrder, setPrepayId } from './orders.js';
import { type JsapiPayParams, jsapiPayParams } from './wechatpay/signing.js';

/** What a client needs to pay an order: call wx.requestPayment with `requestPayment`. */
export interface PrepayView {
  outTradeNo: string;
  amount: number;
  kind: OrderKind;
  state: OrderRecord['state'];
  /** after this the order cannot be paid (the hold ends) */
  expiresAt: string;
  /** top-ups: the entry's lines once paid */
  items?: OrderRecord['items'];
  /** null once the order is paid or closed */
  requestPayment: JsapiPayParams | null;
}

/**
 * Create (or find again) the n-th WeChat Pay order of an entry and the parameters that
 * wx.requestPayment needs. Safe to repeat: the order number is derived from the entry and n, the
 * stored order keeps its first amount, expiry and description, WeChat answers an identical repeat
 * with the same prepay_id, and the `prepay_created` ledger event is keyed by the order number.
 */
export async function prepayOrder(
  ctx: PaymentsContext,
  def: CampaignDefinition,
  entry: Pick<Entry, 'id' | 'seq' | 'userId'>,
  order: { n: number; kind: OrderKind; amount: number; expiresAt: Date; payerOpenid: string | null; items?: OrderRecord['items'] },
): Promise<PrepayView> {
  const { db } = ctx;
  const now = db.clock.now();
  const outTradeNo = outTradeNoFor(def.id, entry.id, order.n);
  const stored = await putOrder(db, {
    outTradeNo,
    campaignId: def.id,
    entryId: entry.id,
    seq: entry.seq,
    userId: entry.userId,
    n: order.n,
    kind: order.kind,
    amount: order.amount,
    state: 'created',
    paidAmount: 0,
    refundable: 0,
    createdAt: now.toISOString(),
    expiresAt: order.expiresAt.toISOString(),
    ...(order.items ? { items: order.items } : {}),
    description: orderDescription(def.title, entry.seq),
  });
  await applyMoneyEvent(
    db,
    {
      campaignId: def.id,
      entryId: entry.id,
      seq: entry.seq,
      event: 'prepay_created',
      amount: stored.amount,
      ref: `prepay#${outTradeNo}`,
      actor: entry.userId,
      at: now.toISOString(),
    },
    entry.userId,
    // orderCount only grows: a top-up after the join's order is order 2, and so on.
    { set: { orderCount: order.n } },
  );
  if (stored.state !== 'created') return view(ctx, stored, null);
  if (!order.payerOpenid)
    throw new InvalidStateError('Paying with WeChat Pay needs a WeChat login: sign in with POST /auth/wechat', { reason: 'no_openid' });
  const { prepayId } = await ctx.client.createJsapiOrder({
    outTradeNo,
    // The stored one (a repeat after a title edit must not change it); an order stored before
    // descriptions were kept was sent the formula below, with the title of that time.
    description: stored.description ?? `${def.title.slice(0, 100)} #${entry.seq}`,
    amountFen: stored.amount,
    payerOpenid: order.payerOpenid,
    timeExpire: new Date(stored.expiresAt),
  });
  if (stored.prepayId !== prepayId) await setPrepayId(db, outTradeNo, prepayId);
  return view(ctx, { ...stored, prepayId }, prepayId);
}

function view(ctx: PaymentsContext, order: OrderRecord, prepayId: string | null): PrepayView {
  return {
    outTradeNo: order.outTradeNo,
    amount: order.amount,
    kind: order.kind,
    state: order.state,
    expiresAt: order.expiresAt,
    ...(order.items ? { items: order.items } : {}),
    requestPayment: prepayId && order.state === 'created' ? jsapiPayParams(ctx.config, prepayId) : null,
  };
}

/** The orders of an entry, 1..orderCount. */
export async function entryOrders(
  ctx: PaymentsContext,
  campaignId: string,
  entryId: string,
  /** the entry's PAY record when the caller has just read it (null: none); else it is read here */
  money?: PaymentRecord | null,
): Promise<OrderRecord[]> {
  if (money === undefined) money = await getPayment(ctx.db, campaignId, entryId);
  const count = money?.orderCount ?? 0;
  return getOrders(
    ctx.db,
    Array.from({ length: count }, (_, i) => outTradeNoFor(campaignId, entryId, i + 1)),
  );
}
