import { createRoute } from '@hono/zod-openapi';
import { campaignRole, requireCampaign, requireLeaderOrHelper, requireVisibleCampaign } from '../../shared/campaigns/index.js';
import { maskNickname } from '../../shared/domain/index.js';
import { type PickupEntryRecord, requireEntry } from '../../shared/entries/index.js';
import { ForbiddenError, InvalidStateError } from '../../shared/errors.js';
import {
  getReviewStats,
  listReviews,
  type ReviewRecord,
  removalOf,
  removeReview,
  replyToReview,
  submitReview,
  withdrawReview,
} from '../../shared/feedback/index.js';
import { evidenceLinks } from '../../shared/images/index.js';
import { getTitles } from '../../shared/points/index.js';
import { CONTENT_SCENES, checkContent } from '../../shared/wechat/index.js';
import type { AppDeps } from '../env.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { bearer, error, errors, jsonResponse } from '../schemas/common.js';
import { EntryParams } from '../schemas/entry.js';
import {
  ReplyBody,
  ReviewBody,
  ReviewDeleteSchema,
  ReviewListQuery,
  ReviewListSchema,
  ReviewRemovalSchema,
  ReviewRemoveBody,
  ReviewSchema,
  ReviewWriteSchema,
} from '../schemas/feedback.js';
import { newRouter } from '../validation.js';

const TAGS = ['Feedback 评价与问卷'];

const writeRoute = createRoute({
  method: 'put',
  path: '/campaigns/{id}/entries/{entryId}/review',
  tags: TAGS,
  summary: 'The entry’s member reviews it after pickup (核销): 1–5 stars, text, up to 3 photos; writing again replaces the review',
  description:
    'One review per entry: the first write creates it (and earns the community’s `reviewed` points once), a later one replaces rating, text and photos ' +
    '(its place in the list stays). The campaign’s score counters move in the same transaction. The text is checked by WeChat (scene 评论).',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: EntryParams, body: { required: true, content: { 'application/json': { schema: ReviewBody } } } },
  responses: {
    200: jsonResponse(ReviewWriteSchema, 'The review as stored'),
    400: errors[400],
    401: errors[401],
    403: error('FORBIDDEN: not the entry’s member'),
    404: errors[404],
    409: error(
      'INVALID_STATE: the entry is not picked up, the staff removed its review, or the review is an erased member’s; CONFLICT (retry)',
    ),
    415: errors[415],
    422: error('CONTENT_REJECTED: WeChat judged the text risky (`details.field` = body.text)'),
    503: error('SERVICE_UNAVAILABLE: WeChat content security could not be reached, or photos are not configured (retry)'),
  },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/campaigns/{id}/entries/{entryId}/review',
  tags: TAGS,
  summary:
    'The entry’s member deletes their review: the score loses it, the `reviewed` points it earned are taken back; no review: deleted false',
  description: 'Reviewing the entry again later is allowed, but earns no points again (each entry earns them once).',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: EntryParams },
  responses: {
    200: jsonResponse(ReviewDeleteSchema, 'What was deleted and taken back'),
    401: errors[401],
    403: error('FORBIDDEN: not the entry’s member'),
    404: errors[404],
    409: error('INVALID_STATE: the staff removed the review, or it is an erased member’s; CONFLICT (retry)'),
  },
});

const listRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/reviews',
  tags: TAGS,
  summary: 'The campaign’s reviews, newest first, with its score (count, average, histogram, per item) on top',
  description:
    'Whoever may see the campaign. Names are masked (王*) except for the campaign’s staff and the author. The score is the counters the reviews ' +
    'keep (one read), never a recount.',
  request: { params: EntryParams.pick({ id: true }), query: ReviewListQuery },
  responses: { 200: jsonResponse(ReviewListSchema, 'Score and a page of reviews'), 400: errors[400], 401: errors[401], 404: errors[404] },
});

// PUT, not POST: a reply is replaced, not added to.
const replyRoute = createRoute({
  method: 'put',
  path: '/campaigns/{id}/reviews/{entryId}/reply',
  tags: TAGS,
  summary: 'The campaign’s staff (leader, helpers, the community’s team) reply under a review; a new reply replaces the old',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: EntryParams, body: { required: true, content: { 'application/json': { schema: ReplyBody } } } },
  responses: {
    200: jsonResponse(ReviewSchema, 'The review with its reply'),
    400: errors[400],
    401: errors[401],
    403: error('FORBIDDEN: not the campaign’s staff'),
    404: error('NOT_FOUND: no such campaign, or no review of that entry'),
    415: errors[415],
    422: error('CONTENT_REJECTED: WeChat judged the reply risky'),
    503: error('SERVICE_UNAVAILABLE: WeChat content security could not be reached (retry)'),
  },
});

const removeRoute = createRoute({
  method: 'delete',
  path: '/campaigns/{id}/reviews/{entryId}',
  tags: TAGS,
  summary:
    'The campaign’s staff (leader, helpers, the community’s team) remove a review (abuse, ads, a wrong photo), with a reason: it leaves the list and the score',
  description:
    'The review is hidden, not lost: it leaves the public list, the score counters and the campaign’s, community’s and day’s numbers in one transaction, ' +
    'and stays as a removed record (removedAt, removedBy, reason) its author still sees in GET /me/export. The author keeps the `reviewed` points ' +
    '(they did review) and cannot review that entry again (409 INVALID_STATE). Removing again changes nothing (`removedNow` false). Recorded in the staff audit trail.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: EntryParams, body: { required: true, content: { 'application/json': { schema: ReviewRemoveBody } } } },
  responses: {
    200: jsonResponse(ReviewRemovalSchema, 'The removal (the first one, on a repeat)'),
    400: errors[400],
    401: errors[401],
    403: error('FORBIDDEN: not the campaign’s staff'),
    404: error('NOT_FOUND: no such campaign, or no review of that entry'),
    409: error('CONFLICT (retry)'),
    415: errors[415],
  },
});

export function reviewRoutes(deps: AppDeps) {
  const { db } = deps;
  /** A review as `viewer` gets it: full name and photo links for the staff and the author only. */
  const view = async (r: ReviewRecord, viewer: { userId: string | null; staff: boolean }, titles: Record<string, string>) => {
    const mine = viewer.userId === r.userId && !r.erasedAt;
    const close = viewer.staff || mine;
    return {
      campaignId: r.campaignId,
      entryId: r.entryId,
      seq: r.seq,
      nickname: r.erasedAt || close ? r.nickname : maskNickname(r.nickname),
      title: r.erasedAt ? null : (titles[r.userId] ?? null),
      itemIds: r.itemIds,
      rating: r.rating,
      text: r.text,
      photoCount: r.photos.length,
      ...(close && deps.images && r.photos.length > 0
        ? { photoLinks: await evidenceLinks(deps.images.store, r.campaignId, r.photos) }
        : {}),
      reply: r.reply ? { text: r.reply.text, at: r.reply.at } : null,
      ...(viewer.staff && r.contentReview.length > 0 ? { contentReview: r.contentReview } : {}),
      isMine: mine,
      erased: r.erasedAt !== undefined,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  };
  /** The entry of a campaign the caller may see, when it is theirs (else 403): what the author's routes start from. */
  const requireOwnEntry = async (campaignId: string, entryId: string, userId: string, action: string) => {
    const snapshot = await requireCampaign(db, campaignId);
    await requireVisibleCampaign(db, snapshot, userId);
    const entry = await requireEntry(db, campaignId, entryId);
    if (entry.userId !== userId) throw new ForbiddenError(`Only the member of this entry can ${action}`);
    return { snapshot, entry };
  };
  return newRouter()
    .openapi(writeRoute, async (c) => {
      const user = requireUser(c);
      const { id, entryId } = c.req.valid('param');
      const { snapshot, entry } = await requireOwnEntry(id, entryId, user.id, 'review it');
      // Checked again in the review's transaction (a pickup undone meanwhile refuses it there).
      if (!(entry as PickupEntryRecord).pickedUpAt) throw new InvalidStateError('An entry can be reviewed once it was picked up');
      const body = c.req.valid('json');
      const result = await submitReview(deps, snapshot.def, entry, body);
      deps.logger.info('review written', { requestId: c.get('requestId'), campaignId: id, entryId, created: result.created });
      return c.json({ ...result, review: await view(result.review, { userId: user.id, staff: false }, {}) }, 200);
    })
    .openapi(deleteRoute, async (c) => {
      const user = requireUser(c);
      const { id, entryId } = c.req.valid('param');
      const { snapshot } = await requireOwnEntry(id, entryId, user.id, 'delete its review');
      const result = await withdrawReview(db, snapshot.def, entryId, user.id);
      deps.logger.info('review deleted', { requestId: c.get('requestId'), campaignId: id, entryId, deleted: result.deleted });
      return c.json(result, 200);
    })
    .openapi(listRoute, async (c) => {
      const userId = c.get('user')?.id ?? null;
      const snapshot = await requireCampaign(db, c.req.valid('param').id);
      await requireVisibleCampaign(db, snapshot, userId);
      const { limit, cursor, itemId } = c.req.valid('query');
      const def = snapshot.def;
      const [stats, page, role, titles] = await Promise.all([
        getReviewStats(
          db,
          def.id,
          def.items.map((i) => i.id),
        ),
        listReviews(db, def.id, { limit, cursor, itemId }),
        campaignRole(db, def, userId),
        def.communityId ? getTitles(db, def.communityId) : Promise.resolve({}),
      ]);
      const viewer = { userId, staff: role === 'leader' || role === 'helper' };
      const reviews = await Promise.all(page.reviews.map((r) => view(r, viewer, titles)));
      return c.json({ stats, reviews, nextCursor: page.nextCursor }, 200);
    })
    .openapi(replyRoute, async (c) => {
      const user = requireUser(c);
      const { id, entryId } = c.req.valid('param');
      const snapshot = await requireCampaign(db, id);
      await requireLeaderOrHelper(db, snapshot, user.id, 'reply to reviews');
      const { text } = c.req.valid('json');
      // The reply is shown under the campaign as the leader's post is: unchecked is refused (503).
      await checkContent(deps.contentCheck, db, user.id, [{ field: 'body.text', text, scene: CONTENT_SCENES.comment }], 'refuse');
      const review = await replyToReview(db, id, entryId, { text, by: user.id, at: db.clock.now().toISOString() });
      return c.json(await view(review, { userId: user.id, staff: true }, {}), 200);
    })
    .openapi(removeRoute, async (c) => {
      const user = requireUser(c);
      const { id, entryId } = c.req.valid('param');
      const snapshot = await requireCampaign(db, id);
      // The same rule as the reply: the leader, the helpers (of the campaign, or the community's team).
      await requireLeaderOrHelper(db, snapshot, user.id, 'remove reviews');
      const { reason } = c.req.valid('json');
      const { review, removedNow } = await removeReview(db, id, snapshot.def.communityId ?? null, entryId, { by: user.id, reason });
      deps.logger.info('review removed', { requestId: c.get('requestId'), campaignId: id, entryId, removedNow });
      // removeReview answers the review as removed (now, or by the first removal).
      return c.json({ campaignId: review.campaignId, entryId: review.entryId, ...removalOf(review)!, removedNow }, 200);
    });
}
