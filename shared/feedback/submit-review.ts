import type { CampaignDefinition } from '../domain/index.js';
import { earnRefs, earnsPoints } from '../domain/index.js';
import { keepEvidence, requireImages } from '../images/index.js';
import { applyPointsEvent, getPointsRules, reversePoints } from '../points/index.js';
import type { MediaStore } from '../storage/index.js';
import type { DbContext } from '../table/index.js';
import { CONTENT_SCENES, type ContentCheck, checkContent } from '../wechat/index.js';
import { deleteReview, type ReviewedEntry, type ReviewRecord, writeReview } from './reviews.js';

/** What a review needs besides the table: the content check and the photo store (each optional). */
export interface FeedbackContext {
  readonly db: DbContext;
  readonly contentCheck?: ContentCheck | undefined;
  readonly images?: { readonly store: MediaStore } | undefined;
}

/**
 * The member reviews their picked-up entry (access checked by the route). The text is checked
 * first (scene 2 评论: it is shown under the campaign; `risky` is 422 CONTENT_REJECTED and nothing
 * is written; unreachable WeChat is 503, as for a leader's post: a review is no race for stock,
 * so it can wait). Photos are the member's uploads, checked by their bytes and kept as private
 * copies (as after-sale evidence) before the review names them. Then the review's transaction,
 * then the `reviewed` points by the ref `review:<campaign>:<entry>`: once per entry, however often
 * it is edited; a crash before the points is repaired by writing the review again.
 */
export async function submitReview(
  ctx: FeedbackContext,
  def: CampaignDefinition,
  entry: ReviewedEntry,
  input: { rating: number; text: string; photos: string[] },
): Promise<{ review: ReviewRecord; created: boolean; pointsEarned: number }> {
  const flagged = await checkContent(
    ctx.contentCheck,
    ctx.db,
    entry.userId,
    [{ field: 'body.text', text: input.text, scene: CONTENT_SCENES.comment }],
    'refuse',
  );
  if (input.photos.length > 0) await keepEvidence(requireImages(ctx.images).store, def.id, input.photos);
  const written = await writeReview(ctx.db, def.id, def.communityId ?? null, entry, {
    rating: input.rating,
    text: input.text,
    photos: input.photos,
    contentReview: flagged.length > 0 ? ['text'] : [],
  });
  const pointsEarned = await earnForReview(ctx.db, def, entry);
  return { ...written, pointsEarned };
}

async function earnForReview(db: DbContext, def: CampaignDefinition, entry: ReviewedEntry): Promise<number> {
  if (!def.communityId || !earnsPoints(entry.userId)) return 0;
  const rules = await getPointsRules(db, def.communityId);
  if (rules.earn.reviewed <= 0) return 0;
  // One rules read serves both the amount and the titles (earnPoints would read them again).
  const { applied } = await applyPointsEvent(
    db,
    'earn',
    {
      communityId: def.communityId,
      userId: entry.userId,
      ref: earnRefs.review(def.id, entry.id),
      points: rules.earn.reviewed,
      reason: 'reviewed',
      at: db.clock.now().toISOString(),
      campaignId: def.id,
      entryId: entry.id,
    },
    rules.titles,
  );
  return applied ? 1 : 0;
}

/**
 * The member deletes their review: the counters lose it in the same transaction, then the
 * `reviewed` points it earned are reversed (`rev:review:<campaign>:<entry>`, at most once, never
 * below a zero balance). Reviewing again later earns nothing more: the entry's review ref is spent.
 * Returns whether a review was deleted and how many points were taken back.
 */
export async function withdrawReview(
  db: DbContext,
  def: CampaignDefinition,
  entryId: string,
  userId: string,
): Promise<{ deleted: boolean; pointsReversed: number }> {
  const deleted = await deleteReview(db, def.id, def.communityId ?? null, entryId, userId);
  if (!def.communityId || !earnsPoints(userId)) return { deleted: deleted !== null, pointsReversed: 0 };
  // Also on a repeat: a crash between the delete and the reversal is repaired by deleting again.
  const { titles } = await getPointsRules(db, def.communityId);
  const reversed = await reversePoints(db, def.communityId, userId, earnRefs.review(def.id, entryId), titles);
  return { deleted: deleted !== null, pointsReversed: reversed.applied ? 1 : 0 };
}
