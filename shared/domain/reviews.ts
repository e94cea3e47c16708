/**
 * Reviews (评价) of picked-up entries. Pure: the limits, and how one review moves the campaign's
 * review aggregate. The aggregate is a set of flat counters ADDed in the review's own transaction,
 * so reading a campaign's (or an item's) score is one GetItem and never a scan of the reviews.
 */

export const REVIEW_LIMITS = { minRating: 1, maxRating: 5, textMax: 500, photosMax: 3, replyMax: 300, removalReasonMax: 200 } as const;

/** What a review counts with: its rating and the items of the entry it reviews. */
export interface ReviewScore {
  rating: number;
  itemIds: readonly string[];
}

/** Counter attribute names of the aggregate item (flat, so ADD creates each on first use). */
const reviewStatAttrs = {
  count: 'count',
  ratingSum: 'ratingSum',
  histogram: (rating: number) => `h${rating}`,
  itemCount: (itemId: string) => `i#${itemId}#n`,
  itemSum: (itemId: string) => `i#${itemId}#s`,
};

/**
 * The counters to ADD when a review is first written (`before` null) or edited: a new review
 * counts once; an edit moves only the rating (the entry's items never change after pickup).
 * Zero deltas are left out, so an edit of the text alone touches no counter.
 */
export function reviewStatsDelta(before: ReviewScore | null, after: ReviewScore): Record<string, number> {
  const delta: Record<string, number> = {};
  const add = (name: string, n: number) => {
    delta[name] = (delta[name] ?? 0) + n;
  };
  if (before) {
    add(reviewStatAttrs.ratingSum, -before.rating);
    add(reviewStatAttrs.histogram(before.rating), -1);
    for (const id of new Set(before.itemIds)) add(reviewStatAttrs.itemSum(id), -before.rating);
    for (const id of new Set(before.itemIds)) add(reviewStatAttrs.itemCount(id), -1);
  }
  add(reviewStatAttrs.count, before ? 0 : 1);
  add(reviewStatAttrs.ratingSum, after.rating);
  add(reviewStatAttrs.histogram(after.rating), 1);
  for (const id of new Set(after.itemIds)) add(reviewStatAttrs.itemSum(id), after.rating);
  for (const id of new Set(after.itemIds)) add(reviewStatAttrs.itemCount(id), 1);
  for (const [name, n] of Object.entries(delta)) if (n === 0) delete delta[name];
  return delta;
}

/** The counters to ADD when a review is deleted: exactly what its writes added, taken back. */
export function reviewRemovalDelta(review: ReviewScore): Record<string, number> {
  return Object.fromEntries(Object.entries(reviewStatsDelta(null, review)).map(([name, n]) => [name, -n]));
}

export interface ScoreSummary {
  count: number;
  ratingSum: number;
  /** ratingSum / count to one decimal, or null without reviews */
  average: number | null;
}

export interface ReviewStats extends ScoreSummary {
  /** how many reviews gave 1, 2, 3, 4, 5 (index 0 is rating 1) */
  histogram: number[];
  items: Array<ScoreSummary & { itemId: string }>;
}

const averageOf = (sum: number, count: number) => (count > 0 ? Math.round((sum / count) * 10) / 10 : null);

const num = (v: unknown) => (typeof v === 'number' ? v : 0);

/** The aggregate item (or nothing yet) as readers get it; items in `itemOrder` (the campaign's order). */
export function toReviewStats(item: Record<string, unknown> | null | undefined, itemOrder: readonly string[]): ReviewStats {
  const src = item ?? {};
  const count = num(src[reviewStatAttrs.count]);
  const ratingSum = num(src[reviewStatAttrs.ratingSum]);
  const histogram = [1, 2, 3, 4, 5].map((r) => num(src[reviewStatAttrs.histogram(r)]));
  const items = itemOrder
    .map((itemId) => {
      const n = num(src[reviewStatAttrs.itemCount(itemId)]);
      const s = num(src[reviewStatAttrs.itemSum(itemId)]);
      return { itemId, count: n, ratingSum: s, average: averageOf(s, n) };
    })
    .filter((i) => i.count > 0);
  return { count, ratingSum, average: averageOf(ratingSum, count), histogram, items };
}
