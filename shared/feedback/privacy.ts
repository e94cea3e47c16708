import type { DbContext } from '../table/index.js';
import { detachResponses, userResponses } from './answers.js';
import { eraseReview, getReview, type ReviewRecord, removalOf } from './reviews.js';

/**
 * Feedback in GET /me/export and DELETE /me. Reviews are found through the user's entries (one
 * GetItem per entry: a review is keyed by its entry), survey answers through gsi1
 * RESPONDENT#<userId>. Erasure keeps every number (campaign scores, survey results): a review
 * stays in its list as an erased member's rating without text or photos (their private copies are
 * named nowhere after that and go with the bucket's evidence lifecycle); an answer loses its
 * answers and index keys, the counters and the unattributed text answers stay.
 */

export interface UserFeedback {
  reviews: Array<
    Pick<ReviewRecord, 'campaignId' | 'entryId' | 'rating' | 'text' | 'photos' | 'createdAt' | 'updatedAt'> & {
      reply: string | null;
      /** the campaign's staff removed it from the public list: when, who, why (null: shown) */
      removed: { removedAt: string; removedBy: string; reason: string } | null;
    }
  >;
  surveyAnswers: Array<{ surveyId: string; communityId: string; answeredAt: string; answers: unknown[] }>;
}

export async function userFeedback(
  db: DbContext,
  userId: string,
  entries: ReadonlyArray<{ campaignId: string; id: string }>,
): Promise<UserFeedback> {
  const reviews: UserFeedback['reviews'] = [];
  for (const e of entries) {
    const r = await getReview(db, e.campaignId, e.id);
    if (!r || r.userId !== userId) continue;
    reviews.push({
      campaignId: r.campaignId,
      entryId: r.entryId,
      rating: r.rating,
      text: r.text,
      photos: r.photos,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      reply: r.reply?.text ?? null,
      removed: removalOf(r),
    });
  }
  const surveyAnswers = (await userResponses(db, userId)).map((r) => ({
    surveyId: r.surveyId,
    communityId: r.communityId,
    answeredAt: r.answeredAt,
    answers: r.answers ?? [],
  }));
  return { reviews, surveyAnswers };
}

/** Erasure of the user's feedback (idempotent). */
export async function forgetFeedback(
  db: DbContext,
  userId: string,
  entries: ReadonlyArray<{ campaignId: string; id: string }>,
  erasedNickname: string,
): Promise<{ reviews: number; answers: number }> {
  let reviews = 0;
  for (const e of entries) if ((await eraseReview(db, e.campaignId, e.id, userId, erasedNickname)) !== null) reviews++;
  const answers = await detachResponses(db, userId);
  return { reviews, answers };
}
