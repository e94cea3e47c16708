import { balanceOf, baseAmount, type MoneyTotals, type PaymentState, paymentState } from './payments.js';
import { entryDue, type SettlementSummary, settleEntry } from './settlement.js';
import type { CampaignDefinition, Entry } from './types.js';

/** One row of the leader's payments view: what an entry owes, what it paid, and the difference. */
export interface PaymentLine {
  entryId: string;
  seq: number;
  userId: string;
  nickname: string;
  entryStatus: Entry['status'];
  /** the settlement amount once settled; before, the base-price estimate (0 for a cancelled entry) */
  amountDue: number;
  /** true while amountDue is the base-price estimate (not settled yet) */
  estimated: boolean;
  /** fen the member's points took off at settlement (already out of amountDue) */
  pointsDiscount: number;
  paid: number;
  refunded: number;
  /** amountDue − (paid − refunded): positive, the member owes it (补款); negative, is owed it (退款) */
  balance: number;
  state: PaymentState;
}

export interface PaymentTotals {
  amountDue: number;
  paid: number;
  refunded: number;
  balance: number;
  /** Σ positive balances: still to collect (补款) */
  toCollect: number;
  /** Σ negative balances, as a positive number: still to give back (退款) */
  toRefund: number;
  entries: number;
  paidEntries: number;
}

const NONE: MoneyTotals = { paid: 0, refunded: 0 };

export function paymentLine(
  def: CampaignDefinition,
  entry: Entry,
  settlement: SettlementSummary | null,
  money: MoneyTotals | undefined,
): PaymentLine {
  const billable = entry.status === 'active';
  // Approved after-sales (售后) come off what the entry costs.
  const settled = billable && settlement ? settleEntry(settlement, entry) : null;
  // Points (a separate line) and approved after-sales (售后) come off what the entry costs.
  const bill = !billable ? 0 : settled ? entryDue(settled) : baseAmount(def, entry.items);
  const amountDue = Math.max(0, bill - (money?.discount ?? 0));
  const totals = money ?? NONE;
  return {
    entryId: entry.id,
    seq: entry.seq,
    userId: entry.userId,
    nickname: entry.nickname,
    entryStatus: entry.status,
    amountDue,
    estimated: settlement === null && billable,
    pointsDiscount: settled ? Math.min(settled.pointsDiscount, settled.amount) : 0,
    paid: totals.paid,
    refunded: totals.refunded,
    balance: balanceOf(amountDue, totals),
    state: paymentState(amountDue, totals),
  };
}

export function emptyPaymentTotals(): PaymentTotals {
  return { amountDue: 0, paid: 0, refunded: 0, balance: 0, toCollect: 0, toRefund: 0, entries: 0, paidEntries: 0 };
}

export function addToTotals(t: PaymentTotals, line: PaymentLine): void {
  t.amountDue += line.amountDue;
  t.paid += line.paid;
  t.refunded += line.refunded;
  t.balance += line.balance;
  if (line.balance > 0) t.toCollect += line.balance;
  else t.toRefund -= line.balance;
  t.entries += 1;
  if (line.state === 'paid' || line.state === 'overpaid') t.paidEntries += 1;
}
