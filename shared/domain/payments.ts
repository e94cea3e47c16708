/**
 * Money rules of a campaign (pure; amounts in fen). What a member sees:
 *   - 预付 (wechatpay): pay the items' base price × qty when joining;
 *   - 退差价: at settlement, paid − final amount comes back when the group reached a lower tier;
 *   - 失败全额退款: a failed group refunds everything;
 *   - offline (接龙 + WeChat transfer): the leader ticks off what was received; the balance says
 *     who still owes (补款) and whom the leader owes (退款).
 */
import type { CampaignDefinition, EntryLine } from './types.js';

export type { PaymentMode } from './types.js';
export const PAYMENT_MODES = ['offline', 'wechatpay'] as const;

/** How long a prepaid join holds its stock waiting for the payment, unless the campaign says otherwise. */
export const DEFAULT_PAYMENT_HOLD_MINUTES = 15;

/**
 * Every kind of money event. Only `paid`, `refunded` and `offline_marked` move money; the others
 * record intent and outcome so that an audit can follow each order and refund.
 */
export const LEDGER_EVENTS = [
  'prepay_created',
  'paid',
  'refund_requested',
  'refunded',
  'refund_failed',
  'offline_marked',
  /** an approved after-sale (售后): the entry finally costs `amount` less (PAY `discount`); its refund follows as usual */
  'after_sale_approved',
] as const;
export type LedgerEventType = (typeof LEDGER_EVENTS)[number];

export interface LedgerEvent {
  campaignId: string;
  entryId: string;
  seq: number;
  event: LedgerEventType;
  /** fen; for `offline_marked` the change of the amount received (negative when lowered or unmarked) */
  amount: number;
  /** unique per entry: out_trade_no, transaction_id, out_refund_no, or the offline mark's number */
  ref: string;
  /** user id, `wechatpay` or `system` */
  actor: string;
  at: string;
  reason?: string;
  /** refund_failed: true when the refund is given up on (its amount is no longer on its way back) */
  final?: boolean;
  /** refunded: the refund had been given up on, so its amount was no longer counted as on its way back */
  afterGivingUp?: boolean;
}

/** What a ledger says an entry has paid and got back. Recomputable from the events alone. */
export interface MoneyTotals {
  paid: number;
  refunded: number;
  /** Σ approved after-sale amounts: taken off what the entry finally costs */
  discount?: number;
}

export function ledgerTotals(events: Iterable<Pick<LedgerEvent, 'event' | 'amount'>>): MoneyTotals {
  const totals = { paid: 0, refunded: 0 };
  for (const e of events) {
    if (e.event === 'paid' || e.event === 'offline_marked') totals.paid += e.amount;
    else if (e.event === 'refunded') totals.refunded += e.amount;
  }
  return totals;
}

/** The base-price amount of some lines: what a prepaid join pays, and the estimate before settling. */
export function baseAmount(def: Pick<CampaignDefinition, 'items'>, lines: readonly EntryLine[]): number {
  const prices = new Map(def.items.map((i) => [i.id, i.unitPrice]));
  return lines.reduce((sum, l) => sum + (prices.get(l.itemId) ?? 0) * l.qty, 0);
}

/** Net money the member has with the leader: paid minus refunded. */
export const paidMinusRefunded = (t: MoneyTotals) => t.paid - t.refunded;

/** Positive: the member still owes this (补款). Negative: the member is owed this back (退款). */
export const balanceOf = (due: number, t: MoneyTotals) => due - paidMinusRefunded(t);

/**
 * The refund an entry is owed: everything above what it finally costs. A failed group's entries
 * and cancelled entries finally cost 0, so they get everything back.
 */
export function refundOwed(finalAmount: number, t: MoneyTotals): number {
  return Math.max(0, paidMinusRefunded(t) - finalAmount);
}

export type PaymentState = 'unpaid' | 'partial' | 'paid' | 'overpaid';

export function paymentState(due: number, t: MoneyTotals): PaymentState {
  const net = paidMinusRefunded(t);
  if (net <= 0 && due > 0) return 'unpaid';
  if (net < due) return 'partial';
  return net === due ? 'paid' : 'overpaid';
}
