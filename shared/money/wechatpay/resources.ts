import { z } from 'zod';

/**
 * WeChat Pay's JSON (snake_case, as on the wire) and the camelCase shapes the rest of the code
 * uses. Unknown fields are tolerated: WeChat adds fields without notice.
 */

export const TRADE_STATES = ['SUCCESS', 'NOTPAY', 'CLOSED', 'REFUND', 'USERPAYING', 'PAYERROR', 'REVOKED'] as const;
export type TradeState = (typeof TRADE_STATES)[number];
export const REFUND_STATUSES = ['SUCCESS', 'PROCESSING', 'ABNORMAL', 'CLOSED'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

export interface Transaction {
  outTradeNo: string;
  transactionId?: string;
  tradeState: TradeState;
  /** amount.total, in fen */
  amountFen?: number;
  /** amount.payer_total: what the member paid after coupons */
  payerTotalFen?: number;
  successTime?: string;
  payerOpenid?: string;
  attach?: string;
}

export interface Refund {
  outRefundNo: string;
  refundId: string;
  status: RefundStatus;
  refundFen: number;
  totalFen?: number;
  outTradeNo: string;
  transactionId?: string;
  successTime?: string;
  /**
   * Where the money went (a bank card or 支付用户零钱). Personal data: the property is
   * non-enumerable, so JSON.stringify, spreads and loggers never carry it; read it explicitly.
   */
  userReceivedAccount?: string;
}

/** The decrypted resource of a REFUND.* notification. */
export interface RefundNotice extends Refund {
  transactionId: string;
  totalFen: number;
}

const AmountWire = z.looseObject({
  total: z.number().int().optional(),
  payer_total: z.number().int().optional(),
  currency: z.string().optional(),
});

export const TransactionWire = z.looseObject({
  appid: z.string().optional(),
  mchid: z.string().optional(),
  out_trade_no: z.string().min(1),
  transaction_id: z.string().optional(),
  trade_state: z.enum(TRADE_STATES),
  success_time: z.string().optional(),
  attach: z.string().optional(),
  payer: z.looseObject({ openid: z.string().optional() }).optional(),
  amount: AmountWire.optional(),
});
export type TransactionWire = z.infer<typeof TransactionWire>;

const RefundAmountWire = z.looseObject({ refund: z.number().int(), total: z.number().int().optional(), currency: z.string().optional() });

export const RefundWire = z.looseObject({
  refund_id: z.string().min(1),
  out_refund_no: z.string().min(1),
  transaction_id: z.string().optional(),
  out_trade_no: z.string().min(1),
  status: z.enum(REFUND_STATUSES),
  success_time: z.string().optional(),
  user_received_account: z.string().optional(),
  amount: RefundAmountWire,
});

/** A REFUND.* notification resource: `refund_status` instead of `status`, and mchid. */
export const RefundNoticeWire = z.looseObject({
  mchid: z.string(),
  out_trade_no: z.string().min(1),
  transaction_id: z.string().min(1),
  out_refund_no: z.string().min(1),
  refund_id: z.string().min(1),
  refund_status: z.enum(REFUND_STATUSES),
  success_time: z.string().optional(),
  user_received_account: z.string().optional(),
  amount: z.looseObject({ total: z.number().int(), refund: z.number().int() }),
});

export const PrepayWire = z.looseObject({ prepay_id: z.string().min(1) });
export const ErrorWire = z.looseObject({ code: z.string().min(1), message: z.string().optional() });

/** undefined and empty-string fields are left out, so `toEqual` and stored records stay clean. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as T;
}

function withHiddenAccount<T extends Refund>(refund: T, account: string | undefined): T {
  if (account !== undefined) Object.defineProperty(refund, 'userReceivedAccount', { value: account, enumerable: false });
  return refund;
}

export function toTransaction(w: TransactionWire): Transaction {
  return compact({
    outTradeNo: w.out_trade_no,
    transactionId: w.transaction_id,
    tradeState: w.trade_state,
    amountFen: w.amount?.total,
    payerTotalFen: w.amount?.payer_total,
    successTime: w.success_time,
    payerOpenid: w.payer?.openid,
    attach: w.attach,
  });
}

export function toRefund(w: z.infer<typeof RefundWire>): Refund {
  const refund: Refund = compact({
    outRefundNo: w.out_refund_no,
    refundId: w.refund_id,
    status: w.status,
    refundFen: w.amount.refund,
    totalFen: w.amount.total,
    outTradeNo: w.out_trade_no,
    transactionId: w.transaction_id,
    successTime: w.success_time,
  });
  return withHiddenAccount(refund, w.user_received_account);
}

export function toRefundNotice(w: z.infer<typeof RefundNoticeWire>): RefundNotice {
  const notice: RefundNotice = compact({
    outRefundNo: w.out_refund_no,
    refundId: w.refund_id,
    status: w.refund_status,
    refundFen: w.amount.refund,
    totalFen: w.amount.total,
    outTradeNo: w.out_trade_no,
    transactionId: w.transaction_id,
    successTime: w.success_time,
  });
  return withHiddenAccount(notice, w.user_received_account);
}
