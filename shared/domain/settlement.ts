import { pointsDiscount } from './points.js';
import { basisFor, unitPriceAt } from './pricing.js';
import { deliveredLines, type Shortage } from './shortage.js';
import type { CampaignDefinition, Entry } from './types.js';

export type SettlementStatus = 'settled' | 'failed';

export interface SettlementItem {
  itemId: string;
  name: string;
  spec: string | null;
  quantity: number;
  finalUnitPrice: number;
  amount: number;
  /** after a shortage: the units sold, where `quantity` is what was delivered */
  ordered?: number;
}

export interface SettlementEntryLine {
  itemId: string;
  qty: number;
  unitPrice: number;
  amount: number;
  /** after a shortage: the units ordered, where `qty` is what the entry gets */
  ordered?: number;
}

export interface SettlementEntry {
  entryId: string;
  seq: number;
  userId: string;
  nickname: string;
  phone: string | null;
  pickupPointId: string | null;
  note: string | null;
  items: SettlementEntryLine[];
  /** Σ lines: what the goods cost at the final price */
  amount: number;
  /** fen the member's reserved points take off (a separate line: the member owes amount − pointsDiscount) */
  pointsDiscount: number;
  /** the points that discount uses; the rest of the reservation goes back to the member */
  pointsUsed: number;
}

/** The stored part of a settlement: computed once, then frozen. */
export interface SettlementSummary {
  campaignId: string;
  status: SettlementStatus;
  settledAt: string;
  items: SettlementItem[];
  total: number;
  entryCount: number;
  /** the shortage the leader reported after settling (POST …/shortage): items and amounts are what was delivered */
  shortage?: Shortage;
}

export interface Settlement extends SettlementSummary {
  entries: SettlementEntry[];
}

/**
 * Settles from the active entries themselves (not from the live counters), so the result is
 * exact even if a counter ever drifted. Everyone pays the price of the tier the whole group
 * reached; a group below minParticipants fails and every amount is 0.
 */
export function summarize(def: CampaignDefinition, activeEntries: readonly Entry[], settledAt: string): SettlementSummary {
  const totals = new ActiveTotals();
  for (const e of activeEntries) totals.add(e);
  return summarizeTotals(def, totals, settledAt);
}

/** Running totals of active entries, so a 20,000-entry settlement never holds the entries. */
export class ActiveTotals {
  readonly quantity = new Map<string, number>();
  entryCount = 0;
  add(entry: Pick<Entry, 'items'>): void {
    this.entryCount++;
    for (const l of entry.items) this.quantity.set(l.itemId, (this.quantity.get(l.itemId) ?? 0) + l.qty);
  }
}

export function summarizeTotals(def: CampaignDefinition, totals: ActiveTotals, settledAt: string): SettlementSummary {
  const { quantity, entryCount } = totals;
  const status: SettlementStatus = entryCount < def.minParticipants ? 'failed' : 'settled';
  const items = def.items.map((item) => {
    const q = quantity.get(item.id) ?? 0;
    const finalUnitPrice = unitPriceAt(item, basisFor(def.tierBasis, q, entryCount));
    return {
      itemId: item.id,
      name: item.name,
      spec: item.spec,
      quantity: q,
      finalUnitPrice,
      amount: status === 'failed' ? 0 : q * finalUnitPrice,
    };
  });
  return {
    campaignId: def.id,
    status,
    settledAt,
    items,
    total: items.reduce((sum, i) => sum + i.amount, 0),
    entryCount,
  };
}

/** One entry's bill under a stored summary; the same summary always gives the same lines. */
export function settleEntry(
  summary: SettlementSummary,
  entry: Pick<Entry, 'id' | 'seq' | 'userId' | 'nickname' | 'phone' | 'pickupPointId' | 'note' | 'items' | 'pointsHold'>,
): SettlementEntry {
  const failed = summary.status === 'failed';
  // After a shortage an entry pays for the units it gets, at the settled final unit price.
  const items = deliveredLines(summary.shortage, entry.seq, entry.items).map((l) => {
    const unitPrice = summary.items.find((i) => i.itemId === l.itemId)?.finalUnitPrice ?? 0;
    return { ...l, unitPrice, amount: failed ? 0 : l.qty * unitPrice };
  });
  // Points are priced at the settlement itself (what was sold, before any later shortage), so the
  // points used are fixed when the campaign settles; a shortage lowers the amount, never the discount
  // below what is still owed (see entryDue).
  const settledAmount = failed
    ? 0
    : entry.items.reduce((sum, l) => sum + l.qty * (summary.items.find((i) => i.itemId === l.itemId)?.finalUnitPrice ?? 0), 0);
  const discount = pointsDiscount(entry.pointsHold, settledAmount);
  return {
    entryId: entry.id,
    seq: entry.seq,
    userId: entry.userId,
    nickname: entry.nickname,
    phone: entry.phone,
    pickupPointId: entry.pickupPointId,
    note: entry.note,
    items,
    amount: items.reduce((sum, l) => sum + l.amount, 0),
    pointsDiscount: discount.fen,
    pointsUsed: discount.points,
  };
}

/** What a settled entry finally costs the member: its amount less its points discount, never below 0. */
export const entryDue = (bill: Pick<SettlementEntry, 'amount' | 'pointsDiscount'>) => Math.max(0, bill.amount - bill.pointsDiscount);

/**
 * What an after-sale of `asked` fen of goods (qty × final unit price) gives back: points paid part
 * of the bill, so the points' share of those goods (rounded up) stays out and only money the member
 * paid comes back. Summed over any requests of one entry this never passes entryDue(bill).
 */
export function afterSaleRefundable(bill: Pick<SettlementEntry, 'amount' | 'pointsDiscount'>, asked: number): number {
  if (bill.pointsDiscount <= 0 || bill.amount <= 0) return asked;
  return Math.max(0, asked - Math.ceil((Math.min(bill.pointsDiscount, bill.amount) * asked) / bill.amount));
}

/**
 * The summary after a shortage: each item's quantity and amount are what was delivered, at the
 * final unit price already settled (a shortage never reprices: the tier was reached when selling).
 */
export function summaryWithShortage(summary: SettlementSummary, shortage: Shortage): SettlementSummary {
  const delivered = new Map(shortage.rules.map((r) => [r.itemId, r.delivered]));
  const items = summary.items.map((i) => {
    const d = delivered.get(i.itemId);
    return d === undefined ? i : { ...i, quantity: d, amount: d * i.finalUnitPrice, ordered: i.quantity };
  });
  return { ...summary, items, total: items.reduce((sum, i) => sum + i.amount, 0), shortage };
}
