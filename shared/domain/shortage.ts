import { ValidationError } from '../errors.js';
import type { EntryLine } from './types.js';

/**
 * A shortage (缺货) after settling: the supplier delivered fewer units of some items than were
 * sold, and the units that came are shared out among the entries. Pure.
 *
 * The allocation is kept as a rule per item, not as a line per entry: from the frozen list in 接龙
 * order the rule gives every entry's delivered units, so a shortage is one small record stored with
 * the settlement summary (one write whatever the campaign's size, read with every campaign), and
 * every reader (settlement pages, CSV, pickup list, refunds) computes the same numbers.
 *  - fifo (接龙 order, first come first served): entries before `cutoffSeq` get all their units,
 *    the one at `cutoffSeq` gets `cutoffQty`, later ones none;
 *  - pro-rata: each entry gets ⌊qty × delivered / sold⌋, and the units left over go one each, in
 *    seq order, to the entries whose share had a remainder, up to and including `cutoffSeq`.
 */
export const SHORTAGE_ALLOCATIONS = ['fifo', 'pro-rata'] as const;
export type ShortageAllocation = (typeof SHORTAGE_ALLOCATIONS)[number];

export interface ShortageItemRule {
  itemId: string;
  /** units sold (the settlement's quantity) */
  sold: number;
  delivered: number;
  /** see above; 0 when no entry is cut (pro-rata without remainder units) */
  cutoffSeq: number;
  /** fifo: the units of the entry at cutoffSeq; pro-rata: 0 */
  cutoffQty: number;
}

export interface ShortageRequest {
  items: Array<{ itemId: string; delivered: number }>;
  allocation: ShortageAllocation;
}

export interface Shortage extends ShortageRequest {
  /** one rule per item delivered short (items delivered in full need none) */
  rules: ShortageItemRule[];
  recordedAt: string;
  recordedBy: string;
}

/** The request as a canonical string: a repeat of the same shortage is recognised whatever its order. */
export function shortageFingerprint(req: ShortageRequest): string {
  const items = [...req.items].sort((a, b) => a.itemId.localeCompare(b.itemId)).map((i) => [i.itemId, i.delivered]);
  return JSON.stringify([req.allocation, items]);
}

/**
 * Checks a shortage against what was sold: known items, each once, delivered ≤ sold (400
 * VALIDATION_FAILED naming the item; more than was sold is not a shortage). Returns the items
 * actually delivered short.
 */
export function checkShortage(
  sold: ReadonlyMap<string, number>,
  req: ShortageRequest,
): Array<{ itemId: string; delivered: number; sold: number }> {
  const seen = new Set<string>();
  const short: Array<{ itemId: string; delivered: number; sold: number }> = [];
  for (const { itemId, delivered } of req.items) {
    if (seen.has(itemId)) throw new ValidationError(`Item ${itemId} is listed twice`, { itemId });
    seen.add(itemId);
    const units = sold.get(itemId);
    if (units === undefined) throw new ValidationError(`No item ${itemId} in this campaign`, { itemId });
    if (!Number.isSafeInteger(delivered) || delivered < 0)
      throw new ValidationError(`delivered of item ${itemId} must be a whole number ≥ 0`, { itemId, delivered });
    if (delivered > units)
      throw new ValidationError(`Item ${itemId}: ${delivered} delivered is more than the ${units} sold; a shortage reports fewer units`, {
        itemId,
        delivered,
        sold: units,
      });
    if (delivered < units) short.push({ itemId, delivered, sold: units });
  }
  return short;
}

/**
 * Builds the rules from the billable entries fed in 接龙 order (seq ascending), one pass, keeping
 * only running sums and, for pro-rata, the numbers of entries with a remainder.
 */
export class ShortagePlanner {
  private readonly fifo = new Map<string, { running: number; cutoffSeq: number; cutoffQty: number }>();
  private readonly floors = new Map<string, number>();
  private readonly withRemainder = new Map<string, number[]>();

  constructor(
    private readonly allocation: ShortageAllocation,
    private readonly short: ReadonlyArray<{ itemId: string; delivered: number; sold: number }>,
  ) {
    for (const s of short) {
      this.fifo.set(s.itemId, { running: 0, cutoffSeq: 0, cutoffQty: 0 });
      this.floors.set(s.itemId, 0);
      this.withRemainder.set(s.itemId, []);
    }
  }

  add(entry: { seq: number; items: readonly EntryLine[] }): void {
    for (const s of this.short) {
      const qty = unitsOf(entry.items, s.itemId);
      if (qty === 0) continue;
      if (this.allocation === 'fifo') {
        const f = this.fifo.get(s.itemId)!;
        if (f.cutoffSeq === 0 && f.running + qty > s.delivered) {
          f.cutoffSeq = entry.seq;
          f.cutoffQty = s.delivered - f.running;
        }
        f.running += qty;
      } else {
        this.floors.set(s.itemId, this.floors.get(s.itemId)! + Math.floor((qty * s.delivered) / s.sold));
        if ((qty * s.delivered) % s.sold !== 0) this.withRemainder.get(s.itemId)!.push(entry.seq);
      }
    }
  }

  rules(): ShortageItemRule[] {
    return this.short.map((s) => {
      if (this.allocation === 'fifo') {
        const f = this.fifo.get(s.itemId)!;
        return { ...s, cutoffSeq: f.cutoffSeq, cutoffQty: f.cutoffQty };
      }
      const left = s.delivered - this.floors.get(s.itemId)!;
      return { ...s, cutoffSeq: left > 0 ? this.withRemainder.get(s.itemId)![left - 1]! : 0, cutoffQty: 0 };
    });
  }
}

const unitsOf = (lines: readonly EntryLine[], itemId: string) => lines.reduce((n, l) => (l.itemId === itemId ? n + l.qty : n), 0);

/** The units of one line an entry gets under a rule. */
export function deliveredUnits(allocation: ShortageAllocation, rule: ShortageItemRule, seq: number, qty: number): number {
  if (allocation === 'fifo') {
    if (rule.cutoffSeq === 0 || seq < rule.cutoffSeq) return qty;
    return seq === rule.cutoffSeq ? Math.min(qty, rule.cutoffQty) : 0;
  }
  const base = Math.floor((qty * rule.delivered) / rule.sold);
  return base + ((qty * rule.delivered) % rule.sold !== 0 && seq <= rule.cutoffSeq ? 1 : 0);
}

/** An entry's lines as delivered: each line's qty under its item's rule, and what was ordered when it differs. */
export function deliveredLines(
  shortage: Shortage | undefined,
  seq: number,
  lines: readonly EntryLine[],
): Array<EntryLine & { ordered?: number }> {
  if (!shortage) return lines.map((l) => ({ itemId: l.itemId, qty: l.qty }));
  const rules = new Map(shortage.rules.map((r) => [r.itemId, r]));
  return lines.map((l) => {
    const rule = rules.get(l.itemId);
    const qty = rule ? deliveredUnits(shortage.allocation, rule, seq, l.qty) : l.qty;
    return qty === l.qty ? { itemId: l.itemId, qty } : { itemId: l.itemId, qty, ordered: l.qty };
  });
}
