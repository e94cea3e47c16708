/**
 * Community numbers and the member book, pure: the day an event counts on (Asia/Shanghai), what a
 * member's purchase in a settled campaign is (new, returning, a repeat within 30 / 90 days), and
 * the rates a reader derives from the stored counters. shared/numbers stores and reads them.
 */

const DAY_MS = 86_400_000;
/** China keeps no daylight saving: Asia/Shanghai is UTC+8 all year, so no time-zone database is needed. */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** The calendar day (YYYY-MM-DD) in Asia/Shanghai of an instant: the key of a community's daily numbers. */
export function shanghaiDay(at: string | Date): string {
  const ms = typeof at === 'string' ? Date.parse(at) : at.getTime();
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The `days` Shanghai days ending with today's (oldest first). */
export function lastDays(now: Date, days: number): string[] {
  const out: string[] = [];
  for (let i = days - 1; i >= 0; i--) out.push(shanghaiDay(new Date(now.getTime() - i * DAY_MS)));
  return out;
}

/** The windows a repeat is measured over. */
export const REPEAT_WINDOWS_DAYS = [30, 90] as const;

/** What a member's book said before this purchase was folded in. */
export interface BookBefore {
  campaigns: number;
  firstJoinAt: string | null;
  lastJoinAt: string | null;
}

/** How one member's purchase (their entries in one settled campaign) counts in the numbers. */
export interface PurchaseKind {
  /** first purchase in the community (the book had none) */
  isNew: boolean;
  returning: boolean;
  /** returning, and the previous purchase's join was at most 30 (90) days from this one's */
  repeat30: boolean;
  repeat90: boolean;
  firstJoinAt: string;
  lastJoinAt: string;
}

/**
 * A purchase is `returning` when the member's book already holds a purchase in this community (a
 * settled campaign folded before). It is a 30-day (90-day) repeat when, in addition, the latest
 * join the book holds is within 30 (90) days of this purchase's first join. Folds can come out of
 * join order (a campaign settled late), so the distance is taken either way.
 */
export function purchaseKind(before: BookBefore, joins: readonly string[]): PurchaseKind {
  const sorted = [...joins].sort();
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  const returning = before.campaigns > 0;
  const gap = returning && before.lastJoinAt ? Math.abs(Date.parse(first) - Date.parse(before.lastJoinAt)) : Number.POSITIVE_INFINITY;
  return {
    isNew: !returning,
    returning,
    repeat30: gap <= 30 * DAY_MS,
    repeat90: gap <= 90 * DAY_MS,
    firstJoinAt: before.firstJoinAt && before.firstJoinAt < first ? before.firstJoinAt : first,
    lastJoinAt: before.lastJoinAt && before.lastJoinAt > last ? before.lastJoinAt : last,
  };
}

/** The counters every numbers item (community total, a day, a campaign) holds; all ADDed, never read-modify-written. */
export const COUNTERS = [
  'purchases',
  'newMembers',
  'returning',
  'repeat30',
  'repeat90',
  'entries',
  'units',
  'revenue',
  'refunded',
  'pickups',
  'noShows',
  'views',
  'campaigns',
  'reviewsCount',
  'ratingSum',
] as const;
export type Counter = (typeof COUNTERS)[number];
export type Counters = Record<Counter, number>;

export const zeroCounters = (): Counters => Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Counters;

export function addCounters(a: Counters, b: Partial<Counters>): Counters {
  const out = { ...a };
  for (const c of COUNTERS) out[c] += b[c] ?? 0;
  return out;
}

/** What readers derive: ratios are null where their denominator is 0 (nothing to divide). */
export interface DerivedNumbers {
  /** fen per purchase (a member's entries in one campaign) */
  averageOrder: number | null;
  /** entries per share-page view */
  conversion: number | null;
  /** purchases in the window whose member's previous purchase was within the window's days ÷ purchases in the window */
  repeatRate30: number | null;
  repeatRate90: number | null;
}

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null);

/**
 * `c` the totals shown; `last30`, `last90` the sums of the daily counters of the last 30 / 90 days
 * (the repeat rates are rates of the window, not of all time).
 */
export function deriveNumbers(c: Counters, last30: Counters, last90: Counters): DerivedNumbers {
  return {
    averageOrder: c.purchases > 0 ? Math.round(c.revenue / c.purchases) : null,
    conversion: ratio(c.entries, c.views),
    repeatRate30: ratio(last30.repeat30, last30.purchases),
    repeatRate90: ratio(last90.repeat90, last90.purchases),
  };
}
