import { CONTENT_SCENES, checkContent } from '../wechat/index.js';
import type { UseCaseContext } from './context.js';

/**
 * Content security of a member's entry note (scene 2 评论: a comment under the leader's post).
 * `risky` is 422 CONTENT_REJECTED (`body.note`). When WeChat cannot check it, the join still goes
 * through and the note is flagged (`contentReview: ['note']`) for the leader, unlike a leader's
 * post (503): a 接龙 is a race for stock, a member who is refused may lose their place, and a
 * ≤200-character note under a campaign the leader moderates is the smaller risk. The flag is the
 * same one a `review` verdict sets. Without a note (or with checks off) nothing is asked.
 */
export async function checkNote(ctx: UseCaseContext, userId: string, note: string | null | undefined): Promise<string[]> {
  if (!ctx.contentCheck || !note || note.trim() === '') return [];
  const review = await checkContent(
    ctx.contentCheck,
    ctx.db,
    userId,
    [{ field: 'body.note', text: note, scene: CONTENT_SCENES.comment }],
    'review',
  );
  return review.length > 0 ? ['note'] : [];
}
