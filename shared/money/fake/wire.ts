import { randomInt } from 'node:crypto';
import type { RefundStatus, TradeState } from '../index.js';
import { toWechatTime } from '../index.js';

/** The fake's records, and how WeChat Pay's JSON shows them (field names and extras as documented). */

export interface FakeOrder {
  outTradeNo: string;
  appid: string;
  mchid: string;
  description: string;
  amountFen: number;
  payerOpenid: string;
  attach?: string;
  notifyUrl: string;
  timeExpire?: Date;
  prepayId: string;
  tradeState: TradeState;
  transactionId?: string;
  successTime?: Date;
  /** the parameters an identical repeat must match */
  requestKey: string;
}

export interface FakeRefund {
  outRefundNo: string;
  refundId: string;
  outTradeNo: string;
  transactionId: string;
  refundFen: number;
  totalFen: number;
  reason?: string;
  notifyUrl?: string;
  status: RefundStatus;
  createTime: Date;
  successTime?: Date;
  /** what it settles into: SUCCESS, or ABNORMAL (the member's account refused it) or CLOSED (WeChat gave up on it) */
  endsAs: 'SUCCESS' | 'ABNORMAL' | 'CLOSED';
  requestKey: string;
}

const TRADE_STATE_DESC: Record<TradeState, string> = {
  SUCCESS: '支付成功',
  NOTPAY: '未支付',
  CLOSED: '订单已关闭',
  REFUND: '转入退款',
  USERPAYING: '用户支付中',
  PAYERROR: '支付失败',
  REVOKED: '已撤销',
};

/** n random decimal digits, for WeChat-looking transaction and refund ids. */
export const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');

/** An order as the query API and TRANSACTION.SUCCESS notifications show it. */
export function transactionWire(o: FakeOrder): Record<string, unknown> {
  const paid = o.transactionId !== undefined;
  return {
    appid: o.appid,
    mchid: o.mchid,
    out_trade_no: o.outTradeNo,
    ...(paid ? { transaction_id: o.transactionId, trade_type: 'JSAPI', bank_type: 'OTHERS' } : {}),
    trade_state: o.tradeState,
    trade_state_desc: TRADE_STATE_DESC[o.tradeState],
    ...(o.attach === undefined ? {} : { attach: o.attach }),
    ...(paid && o.successTime ? { success_time: toWechatTime(o.successTime), payer: { openid: o.payerOpenid } } : {}),
    amount: paid
      ? { total: o.amountFen, payer_total: o.amountFen, currency: 'CNY', payer_currency: 'CNY' }
      : { total: o.amountFen, currency: 'CNY' },
  };
}

/** A refund as the refund API answers it. */
export function refundWire(r: FakeRefund): Record<string, unknown> {
  return {
    refund_id: r.refundId,
    out_refund_no: r.outRefundNo,
    transaction_id: r.transactionId,
    out_trade_no: r.outTradeNo,
    channel: 'ORIGINAL',
    user_received_account: '支付用户零钱',
    ...(r.successTime ? { success_time: toWechatTime(r.successTime) } : {}),
    create_time: toWechatTime(r.createTime),
    status: r.status,
    funds_account: 'AVAILABLE',
    amount: {
      total: r.totalFen,
      refund: r.refundFen,
      payer_total: r.totalFen,
      payer_refund: r.refundFen,
      settlement_total: r.totalFen,
      settlement_refund: r.refundFen,
      discount_refund: 0,
      currency: 'CNY',
      refund_fee: 0,
    },
    promotion_detail: [],
  };
}

/** A refund as the resource of a REFUND.* notification (refund_status, mchid). */
export function refundNoticeWire(r: FakeRefund, mchId: string): Record<string, unknown> {
  return {
    mchid: mchId,
    out_trade_no: r.outTradeNo,
    transaction_id: r.transactionId,
    out_refund_no: r.outRefundNo,
    refund_id: r.refundId,
    refund_status: r.status,
    ...(r.successTime ? { success_time: toWechatTime(r.successTime) } : {}),
    user_received_account: '支付用户零钱',
    amount: { total: r.totalFen, refund: r.refundFen, payer_total: r.totalFen, payer_refund: r.refundFen },
  };
}
