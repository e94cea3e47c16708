import { z } from '@hono/zod-openapi';
import { LEDGER_EVENTS, PAYMENT_MODES } from '../../shared/domain/index.js';
import { Fen, IsoTime } from './common.js';
import { EntrySchema } from './entry.js';

export const PaymentLineSchema = z
  .object({
    entryId: z.string(),
    seq: z.number().int(),
    userId: z.string(),
    nickname: z.string(),
    entryStatus: z.string().openapi({ description: 'the entry status (active, cancelled, …)' }),
    amountDue: z
      .number()
      .int()
      .openapi({ description: 'fen; the settlement amount once settled (0 when the group failed), before that the base-price estimate' }),
    estimated: z.boolean().openapi({ description: 'true while amountDue is the base-price estimate' }),
    pointsDiscount: z
      .number()
      .int()
      .openapi({ description: "fen the member's points (积分) took off at settlement, already out of amountDue" }),
    paid: z.number().int().openapi({ description: 'fen received (WeChat Pay, or marked by the leader)' }),
    refunded: z.number().int().openapi({ description: 'fen given back' }),
    balance: z
      .number()
      .int()
      .openapi({ description: 'amountDue − (paid − refunded): positive, still to collect (补款); negative, to give back (退款)' }),
    state: z.enum(['unpaid', 'partial', 'paid', 'overpaid']),
  })
  .openapi('PaymentLine');

export const PaymentTotalsSchema = z
  .object({
    amountDue: z.number().int(),
    paid: z.number().int(),
    refunded: z.number().int(),
    balance: z.number().int(),
    toCollect: z.number().int().openapi({ description: 'Σ positive balances (补款)' }),
    toRefund: z.number().int().openapi({ description: 'Σ negative balances as a positive amount (退款)' }),
    entries: z.number().int(),
    paidEntries: z.number().int(),
  })
  .openapi('PaymentTotals');

export const PaymentsViewSchema = z
  .object({
    campaignId: z.string(),
    paymentMode: z.enum(PAYMENT_MODES),
    settlementStatus: z
      .enum(['settled', 'failed'])
      .nullable()
      .openapi({ description: 'null before settling: amounts due are base-price estimates' }),
    totals: PaymentTotalsSchema.openapi({ description: 'over every line, not just this page' }),
    entries: z.array(PaymentLineSchema),
    nextCursor: z.string().nullable(),
  })
  .openapi('PaymentsView');

export const MarkPaymentBody = z
  .object({
    status: z.enum(['paid', 'unpaid']).openapi({ description: '`paid`: record `amount` as received in total; `unpaid`: nothing received' }),
    amount: Fen.optional().openapi({
      description: 'fen received in total; default: the amount due (settled amount, or the base-price estimate)',
    }),
  })
  .openapi('MarkPayment');

export const LedgerEventSchema = z
  .object({
    campaignId: z.string(),
    entryId: z.string(),
    seq: z.number().int(),
    event: z.enum(LEDGER_EVENTS),
    amount: z.number().int().openapi({ description: 'fen; for offline_marked the change of the amount received (may be negative)' }),
    ref: z.string().openapi({ description: 'unique per entry: out_trade_no, transaction id, out_refund_no or offline mark number' }),
    actor: z.string(),
    at: IsoTime,
    reason: z.string().optional(),
  })
  .openapi('LedgerEvent');

export const LedgerPageSchema = z.object({ events: z.array(LedgerEventSchema), nextCursor: z.string().nullable() }).openapi('LedgerPage');

export const PrepayViewSchema = z
  .object({
    outTradeNo: z.string().openapi({ description: 'our WeChat Pay order number (out_trade_no)' }),
    amount: Fen.openapi({ description: 'fen to pay: the base price × qty for a join; the difference for a top-up' }),
    kind: z.enum(['join', 'topup']),
    state: z.enum(['created', 'paid', 'closed']),
    expiresAt: IsoTime.openapi({ description: 'the order cannot be paid after this (the hold ends; never after the deadline)' }),
    items: z
      .array(z.object({ itemId: z.string(), qty: z.number().int() }))
      .optional()
      .openapi({ description: "top-ups: the entry's lines once paid" }),
    requestPayment: z
      .object({
        appId: z.string(),
        timeStamp: z.string(),
        nonceStr: z.string(),
        package: z.string(),
        signType: z.literal('RSA'),
        paySign: z.string(),
      })
      .nullable()
      .openapi({ description: 'pass to wx.requestPayment as is; null once paid or closed' }),
  })
  .openapi('Prepay');

const PaymentError = z
  .object({ code: z.string(), message: z.string() })
  .openapi({ description: 'why `payment` is null although one is due (WeChat Pay unreachable): ask again with POST …/payment/prepay' });

export const EntryWithPayment = EntrySchema.extend({
  payment: PrepayViewSchema.nullable()
    .optional()
    .openapi({ description: 'wechatpay campaigns only: the order to pay now, or null when nothing is due' }),
  paymentError: PaymentError.optional(),
  pendingItems: z
    .array(z.object({ itemId: z.string(), qty: z.number().int() }))
    .optional()
    .openapi({
      description:
        'PATCH of a prepaid entry that costs more: these lines replace `items` once `payment` (the top-up) is paid; until then `items` are unchanged',
    }),
}).openapi('EntryWithPayment');

export const RefundSchema = z
  .object({
    outRefundNo: z.string(),
    outTradeNo: z.string(),
    entryId: z.string(),
    seq: z.number().int(),
    amount: Fen,
    purpose: z.string().openapi({ description: 'settle (退差价 / failed group), cancel#v, reduce#v, late#<transaction>' }),
    state: z.enum(['pending', 'processing', 'succeeded', 'failed']),
    attempts: z.number().int(),
    lastError: z.string().nullable().openapi({ description: "the last failure's reason" }),
    nextAttemptAt: IsoTime.nullable().openapi({
      description: 'when it is tried (or checked) next; null when done or given up (failed: retry it by hand)',
    }),
    replacedBy: z.string().nullable().openapi({
      description: 'WeChat Pay closed this refund unpaid and the leader retried it: the out_refund_no of the new refund',
    }),
    retryOf: z.string().nullable().openapi({ description: 'a retry of a refund WeChat Pay closed: the out_refund_no of the first refund' }),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  })
  .openapi('Refund');
