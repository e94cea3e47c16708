import { shanghaiDay } from '../domain/index.js';
import type { TransactItem } from '../table/index.js';
import { keys } from '../table/index.js';
import { addUpdate } from './updates.js';

/**
 * For reviews (another aggregate): the writes that count one review of `rating` into the campaign's,
 * the community's and the day's numbers (reviewsCount, ratingSum; average = ratingSum ÷ reviewsCount).
 * Not idempotent on its own: put them in the review's own conditional transaction (the Put that
 * fails when the review exists), so a repeated review never counts twice.
 */
export function addReviewToNumbers(
  tableName: string,
  review: { campaignId: string; communityId: string | null; rating: number; at: string },
): TransactItem[] {
  const adds = { reviewsCount: 1, ratingSum: review.rating };
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
