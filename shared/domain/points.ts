/**
 * Points (积分) of a community member and their titles (荣誉称号). Pure: the leader's rules, the
 * events a settlement or a pickup earns, how events move a balance, the discount a reservation
 * buys and the title a member's points give. The ledger itself is shared/points.
 */

/** Points per event of each kind; 0 turns that kind off. */
export interface EarnRules {
  /** the member's entry was in a campaign that succeeded (成团) */
  joinSucceeded: number;
  /** a prepaid entry paid within its hold (every active prepaid entry did); offline: never */
  paidOnTime: number;
  /** the entry was picked up (核销) */
  pickedUp: number;
  /** the member reviewed the entry */
  reviewed: number;
  /** to the referrer: a member joined through their share code and the campaign succeeded */
  referral: number;
}

export interface SpendRules {
  enabled: boolean;
  /** what one point takes off, fen (1..100) */
  fenPerPoint: number;
  /** at most this much off one entry, fen */
  maxFenPerEntry: number;
  /** at most this share of the entry's final amount, percent (0..100) */
  maxPercentOfEntry: number;
}

export interface TitleRule {
  minPoints: number;
  title: string;
}

export interface PointsRules {
  earn: EarnRules;
  spend: SpendRules;
  /** ascending by minPoints; a member holds the highest one their points reach */
  titles: TitleRule[];
}

export const MAX_POINTS_PER_EVENT = 1000;
export const MAX_TITLES = 10;
export const MAX_TITLE_LENGTH = 8;

/** Until the leader sets rules, points are off: nothing is earned, nothing can be spent, no titles. */
export const DEFAULT_POINTS_RULES: PointsRules = {
  earn: { joinSucceeded: 0, paidOnTime: 0, pickedUp: 0, reviewed: 0, referral: 0 },
  spend: { enabled: false, fenPerPoint: 1, maxFenPerEntry: 0, maxPercentOfEntry: 0 },
  titles: [],
};

/** What the schema cannot say: titles strictly ascending by minPoints. Null when the rules are fine. */
export function pointsRulesProblem(rules: PointsRules): string | null {
  for (let i = 1; i < rules.titles.length; i++) {
    if (rules.titles[i]!.minPoints <= rules.titles[i - 1]!.minPoints) return 'titles must be in strictly ascending order of minPoints';
  }
  return null;
}

/**
 * Ledger events. `earn` adds to earned; `spend` adds to spent (a reservation for an entry is a
 * spend with `hold`); `release` gives unused reserved points back (takes from spent); `reverse`
 * takes back an earn (adds to reversed). So balance = earned − spent − reversed at every moment.
 */
export type PointsEventKind = 'earn' | 'spend' | 'release' | 'reverse';

export interface PointsEvent {
  communityId: string;
  userId: string;
  /** unique per member: what caused it (`join:<campaignId>:<entryId>`, `rev:<ref>`…); a repeat is a no-op */
  ref: string;
  kind: PointsEventKind;
  /** ≥ 0; the kind says which way it moves the balance */
  points: number;
  /** joinSucceeded, paidOnTime, pickedUp, reviewed, referral, spend, release, reverse */
  reason: string;
  at: string;
  campaignId?: string;
  entryId?: string;
  /** reverse and release: the ref of the event undone */
  of?: string;
}

export interface PointsBalance {
  earned: number;
  spent: number;
  reversed: number;
  balance: number;
}

export const EMPTY_BALANCE: PointsBalance = { earned: 0, spent: 0, reversed: 0, balance: 0 };

/** How one event moves the totals (the ledger's Update ADDs exactly these). */
export function pointsEffect(kind: PointsEventKind, points: number): PointsBalance {
  switch (kind) {
    case 'earn':
      return { earned: points, spent: 0, reversed: 0, balance: points };
    case 'spend':
      return { earned: 0, spent: points, reversed: 0, balance: -points };
    case 'release':
      return { earned: 0, spent: -points, reversed: 0, balance: points };
    case 'reverse':
      return { earned: 0, spent: 0, reversed: points, balance: -points };
  }
}

export function addEffect(b: PointsBalance, kind: PointsEventKind, points: number): PointsBalance {
  const e = pointsEffect(kind, points);
  return { earned: b.earned + e.earned, spent: b.spent + e.spent, reversed: b.reversed + e.reversed, balance: b.balance + e.balance };
}

/** What titles are measured by: points earned and not taken back (spending never lowers a title). */
export const titleBasis = (b: Pick<PointsBalance, 'earned' | 'reversed'>) => b.earned - b.reversed;

/** The highest title `basis` points reach, or null. */
export function titleFor(titles: readonly TitleRule[], basis: number): string | null {
  let title: string | null = null;
  for (const t of titles) if (basis >= t.minPoints) title = t.title;
  return title;
}

/** One earning a settlement (or pickup) gives: to whom, under which ref, how many points. */
export interface Earning {
  userId: string;
  ref: string;
  points: number;
  reason: keyof EarnRules;
  campaignId: string;
  entryId: string;
}

/** Refs of what an entry earned: the reversal of a cancelled or fully refunded entry names these. */
export const earnRefs = {
  join: (campaignId: string, entryId: string) => `join:${campaignId}:${entryId}`,
  paid: (campaignId: string, entryId: string) => `paid:${campaignId}:${entryId}`,
  referral: (campaignId: string, entryId: string) => `referral:${campaignId}:${entryId}`,
  /** one per pickup mark (its time): a pickup undone and marked again earns again, once */
  pickup: (campaignId: string, entryId: string, pickedUpAt: string) => `pickup:${campaignId}:${entryId}:${pickedUpAt}`,
  review: (campaignId: string, entryId: string) => `review:${campaignId}:${entryId}`,
};

/** The ref of the event that takes back `ref` (at most one per event). */
export const reversalRef = (ref: string) => `rev:${ref}`;

/** Guests (代客下单, `g_…` until a member claims the entry) earn nothing: nobody could ever see or spend it. */
export const earnsPoints = (userId: string | null | undefined): userId is string => !!userId && !userId.startsWith('g_');

/**
 * What one settled entry earns: joining a campaign that succeeded, paying on time, and to the
 * member who referred it. A failed group earns nothing; kinds set to 0 give no event.
 */
export function settlementEarnings(
  rules: PointsRules,
  entry: { id: string; campaignId: string; userId: string },
  outcome: { succeeded: boolean; paidOnTime: boolean; referrerId?: string | null },
): Earning[] {
  if (!outcome.succeeded || !earnsPoints(entry.userId)) return [];
  const out: Earning[] = [];
  const base = { campaignId: entry.campaignId, entryId: entry.id };
  if (rules.earn.joinSucceeded > 0)
    out.push({
      ...base,
      userId: entry.userId,
      ref: earnRefs.join(entry.campaignId, entry.id),
      points: rules.earn.joinSucceeded,
      reason: 'joinSucceeded',
    });
  if (outcome.paidOnTime && rules.earn.paidOnTime > 0)
    out.push({
      ...base,
      userId: entry.userId,
      ref: earnRefs.paid(entry.campaignId, entry.id),
      points: rules.earn.paidOnTime,
      reason: 'paidOnTime',
    });
  const referrer = outcome.referrerId;
  if (referrer && referrer !== entry.userId && earnsPoints(referrer) && rules.earn.referral > 0)
    out.push({
      ...base,
      userId: referrer,
      ref: earnRefs.referral(entry.campaignId, entry.id),
      points: rules.earn.referral,
      reason: 'referral',
    });
  return out;
}

/** Points reserved on an entry before settlement, with the spend rules as they were then (the limits do not move under it). */
export interface PointsHold {
  points: number;
  /** the ledger ref of the reservation's spend event (its release names it) */
  ref: string;
  fenPerPoint: number;
  maxFenPerEntry: number;
  maxPercentOfEntry: number;
}

/**
 * The discount a hold buys off an entry whose final amount is `amount` (fen): whole points only,
 * so the discount is points × fenPerPoint and never more than the per-entry cap, the share of the
 * amount, or the amount. The rest of the hold goes back to the member.
 */
export function pointsDiscount(hold: PointsHold | undefined | null, amount: number): { points: number; fen: number } {
  if (!hold || hold.points <= 0 || amount <= 0) return { points: 0, fen: 0 };
  const capFen = Math.min(hold.maxFenPerEntry, Math.floor((amount * hold.maxPercentOfEntry) / 100), amount);
  const points = Math.max(0, Math.min(hold.points, Math.floor(capFen / hold.fenPerPoint)));
  return { points, fen: points * hold.fenPerPoint };
}

/** The most points a reservation may hold on an entry whose amount is (estimated) `amount`: more would never be used. */
export function maxReservablePoints(spend: SpendRules, amount: number): number {
  if (!spend.enabled) return 0;
  return pointsDiscount({ points: Number.MAX_SAFE_INTEGER, ref: '', ...spend }, amount).points;
}
