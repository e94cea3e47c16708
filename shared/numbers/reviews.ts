import { shanghaiDay } from '../domain/index.js';
import type { TransactItem } from '../table/index.js';
import { keys } from '../table/index.js';
import { addUpdate } from './updates.js';

/**
 * For reviews (another aggregate): the writes that move a review's score into the campaign's, the
 * community's and its day's numbers (reviewsCount, ratingSum; average = ratingSum ÷ reviewsCount).
 * `change` is the review's delta: a new review {count: 1, rating}, an edit {count: 0, rating: new −
 * old}, a withdrawal {count: −1, −rating}; `at` is when the review was first written (its day keeps
 * it). Not idempotent on its own: put them in the review's own conditional transaction (the Put
 * that fails when the review exists, the update conditioned on the rating read), so a repeat never
 * counts twice.
 */
export function reviewNumbersWrites(
  tableName: string,
  review: { campaignId: string; communityId: string | null; at: string },
  change: { count: number; rating: number },
): TransactItem[] {
  const adds = { reviewsCount: change.count, ratingSum: change.rating };
  if (adds.reviewsCount === 0 && adds.ratingSum === 0) return [];
  const writes = [
    addUpdate(tableName, keys.campaignNumbers(review.campaignId), adds, { type: 'campaignNumbers', campaignId: review.campaignId }),
  ];
  if (review.communityId) {
    const base = { type: 'communityStats', communityId: review.communityId };
    const day = shanghaiDay(review.at);
    writes.push(
      addUpdate(tableName, keys.communityStatsTotal(review.communityId), adds, base),
      addUpdate(tableName, keys.communityStatsDay(review.communityId, day), adds, { ...base, day }),
    );
  }
  return writes;
}
