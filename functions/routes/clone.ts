import { createRoute } from '@hono/zod-openapi';
import { createCampaign, requireCampaign, requireLeader } from '../../shared/campaigns/index.js';
import { mayPublish } from '../../shared/communities/index.js';
import { campaignView, cloneDefinition } from '../../shared/domain/index.js';
import { newId } from '../../shared/ids.js';
import { copyCampaignImages } from '../../shared/images/index.js';
import { consumeRate } from '../../shared/limits/index.js';
import { initialState, toState } from '../../shared/table/index.js';
import { CONTENT_SCENES, checkContent } from '../../shared/wechat/index.js';
import { checkNewCampaignTimes } from '../campaign-times.js';
import { withoutBody } from '../content-fields.js';
import type { AppDeps } from '../env.js';
import { campaignMedia } from '../image-urls.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { CampaignSchema, CloneCampaignBody } from '../schemas/campaign.js';
import { bearer, CampaignIdParam, errors, jsonResponse } from '../schemas/common.js';
import { newRouter } from '../validation.js';

const cloneRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/clone',
  tags: ['Campaigns'],
  summary: 'Clone a campaign as a new draft (再来一团): same items, tiers, limits, stock, pickup points and payment settings; new times',
  description:
    'Any campaign of yours, in any state (a past one is the usual case). The copy is a draft: check it, then POST …/publish. ' +
    'No entries, helpers or blocks are copied. Counts toward RATE_LIMIT_CAMPAIGNS_PER_HOUR like a create; a new `title` goes through content security.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam, body: { content: { 'application/json': { schema: CloneCampaignBody } }, required: true } },
  responses: {
    201: jsonResponse(CampaignSchema, 'The new draft'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
    422: errors[422],
    429: errors[429],
    503: errors[503],
  },
});

export function cloneRoutes(deps: AppDeps) {
  const { db } = deps;
  return newRouter().openapi(cloneRoute, async (c) => {
    const user = requireUser(c);
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const source = await requireCampaign(db, id);
    await requireLeader(db, source, user.id, 'clone the campaign');
    const now = db.clock.now();
    const opensAt = body.opensAt ? new Date(body.opensAt) : now;
    const closesAt = new Date(body.closesAt);
    // Payment settings come along: a deployment that lost WeChat Pay cannot clone a prepaid campaign.
    checkNewCampaignTimes(now, opensAt, closesAt, deps.money.refusesPaymentMode(source.def.paymentMode));
    const draft = cloneDefinition(source.def, {
      id: newId('c', now),
      leaderId: user.id,
      now,
      opensAt,
      closesAt,
      title: body.title,
      withImages: deps.images !== undefined,
    });
    // A leader taken off the community's team since clones it outside the community.
    if (draft.communityId && !(await mayPublish(db, draft.communityId, user.id))) delete draft.communityId;
    // Only a new title is new text; the rest was checked when the source was written.
    const review = await checkContent(
      deps.contentCheck,
      db,
      user.id,
      [{ field: 'body.title', text: body.title, scene: CONTENT_SCENES.forum }],
      'refuse',
    );
    if (review.length > 0) draft.contentReview = [...(draft.contentReview ?? []), ...review.map(withoutBody)];
    await consumeRate(db, deps.rateLimits, 'campaign', user.id);
    // The photos' objects first: a clone whose write then fails leaves copies nobody references (harmless), never references to nothing.
    if (deps.images && draft.images) await copyCampaignImages(deps.images.store, id, draft.id, draft.images);
    const def = await createCampaign(db, draft, { draft: true });
    deps.logger.info('campaign cloned', { requestId: c.get('requestId'), from: id, campaignId: def.id });
    return c.json(campaignView(def, toState(initialState(def, 'draft')), now, await campaignMedia(deps, c.req.url, def, user.id)), 201);
  });
}
