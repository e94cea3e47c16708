import type { ItemDefinition, Tier, TierBasis } from './types.js';

/**
 * 阶梯价: pure functions from an item's tiers and its basis (units bought, or participants) to
 * prices. Tiers are validated at creation: thresholds strictly increasing, prices strictly
 * decreasing and below the base price, so "the highest tier reached" is the cheapest one.
 */
export interface NextTier {
  threshold: number;
  unitPrice: number;
  /** how much more basis unlocks it */
  needed: number;
}

export function unitPriceAt(item: Pick<ItemDefinition, 'unitPrice' | 'tiers'>, basis: number): number {
  let price = item.unitPrice;
  for (const tier of item.tiers) {
    if (tier.threshold <= basis) price = tier.unitPrice;
  }
  return price;
}

export function nextTierAt(item: Pick<ItemDefinition, 'tiers'>, basis: number): NextTier | null {
  const next = item.tiers.find((t: Tier) => t.threshold > basis);
  return next ? { threshold: next.threshold, unitPrice: next.unitPrice, needed: next.threshold - basis } : null;
}

/** `quantity`: the item's own units over active entries; `participants`: active entries. */
export function basisFor(tierBasis: TierBasis, soldOfItem: number, participants: number): number {
  return tierBasis === 'participants' ? participants : soldOfItem;
}

export interface PricedItem {
  itemId: string;
  basis: number;
  currentUnitPrice: number;
  nextTier: NextTier | null;
}

export function priceItems(
  tierBasis: TierBasis,
  items: readonly ItemDefinition[],
  sold: Readonly<Record<string, number>>,
  participants: number,
): PricedItem[] {
  return items.map((item) => {
    const basis = basisFor(tierBasis, sold[item.id] ?? 0, participants);
    return { itemId: item.id, basis, currentUnitPrice: unitPriceAt(item, basis), nextTier: nextTierAt(item, basis) };
  });
}

/** Yuan for people (CSV, messages): integer fen → "12.90", no floating point involved. */
export function formatYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
