import { priceItems } from './pricing.js';
import type { CampaignDefinition, CampaignState, Entry } from './types.js';

/** What one referrer brought a campaign: its active entries that carry `referredBy` = this user. */
export interface ReferralTally {
  referrerId: string;
  /** active entries referred */
  joins: number;
  /** Σ qty over those entries, all items */
  units: number;
  /** those units at each item's current price (tier reached now), integer fen */
  amount: number;
}

/**
 * Referral counts from the entry list itself, so they are exactly as right as the list: a cancel,
 * an expired hold or a change of quantity shows up without any counter to keep in step. Only
 * active entries count (a pending_payment join is not a sale yet). Largest amount first.
 */
export function tallyReferrals(def: CampaignDefinition, state: CampaignState, entries: Iterable<Entry>): ReferralTally[] {
  const prices = new Map(priceItems(def.tierBasis, def.items, state.sold, state.participants).map((p) => [p.itemId, p.currentUnitPrice]));
  const byReferrer = new Map<string, ReferralTally>();
  for (const entry of entries) {
    if (entry.status !== 'active' || !entry.referredBy) continue;
    let tally = byReferrer.get(entry.referredBy);
    if (!tally) {
      tally = { referrerId: entry.referredBy, joins: 0, units: 0, amount: 0 };
      byReferrer.set(entry.referredBy, tally);
    }
    tally.joins += 1;
    for (const line of entry.items) {
      tally.units += line.qty;
      tally.amount += line.qty * (prices.get(line.itemId) ?? 0);
    }
  }
  return [...byReferrer.values()].sort((a, b) => b.amount - a.amount || b.joins - a.joins || a.referrerId.localeCompare(b.referrerId));
}
