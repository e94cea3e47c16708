import { createRoute } from '@hono/zod-openapi';
import { requireCampaign, requireLeaderOrHelper, requireVisibleCampaign } from '../../shared/campaigns/index.js';
import { DEFAULT_CAMPAIGN_PAGE, encodeScene } from '../../shared/domain/index.js';
import { campaignReferrals, ensureReferrerToken } from '../../shared/referrals/index.js';
import type { AppDeps } from '../env.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { bearer, CampaignIdParam, errors, jsonResponse } from '../schemas/common.js';
import { MyReferral, MyReferralQuery, ReferralList } from '../schemas/referral.js';
import { newRouter } from '../validation.js';

const campaignReferralsRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/referrals',
  tags: ['Referrals'],
  summary: 'Who brought how many joins (leader and helpers)',
  description:
    'Per referrer (the user whose code or link a member joined through, recorded at join time as `ref`): active entries, units and their amount at the current prices. ' +
    'Counted from the entry list, so cancels and expired holds are out at once.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam },
  responses: { 200: jsonResponse(ReferralList, 'Referral counts'), 401: errors[401], 403: errors[403], 404: errors[404] },
});

const myReferralRoute = createRoute({
  method: 'get',
  path: '/me/referral',
  tags: ['Referrals'],
  summary: 'My referrer token, and with ?campaignId= the scene and share path for that campaign',
  security: bearer,
  middleware: [signedIn] as const,
  request: { query: MyReferralQuery },
  responses: { 200: jsonResponse(MyReferral, 'Your referrer token'), 400: errors[400], 401: errors[401], 404: errors[404] },
});

export function referralRoutes(deps: AppDeps) {
  const { db } = deps;
  // The page reads `scene` in onLoad (wechat-facts.md §5); the same page the 小程序码 opens.
  const page = deps.campaignPage ?? DEFAULT_CAMPAIGN_PAGE;
  return newRouter()
    .openapi(campaignReferralsRoute, async (c) => {
      const user = requireUser(c);
      const { id } = c.req.valid('param');
      const snapshot = await requireCampaign(db, id);
      await requireLeaderOrHelper(db, snapshot, user.id, 'see referrals');
      return c.json({ campaignId: id, referrals: await campaignReferrals(db, snapshot) }, 200);
    })
    .openapi(myReferralRoute, async (c) => {
      const user = requireUser(c);
      const { campaignId } = c.req.valid('query');
      // The campaign first: an unknown or hidden one is 404 before anything is written.
      const snapshot = campaignId === undefined ? null : await requireCampaign(db, campaignId);
      if (snapshot) await requireVisibleCampaign(db, snapshot, user.id);
      const token = await ensureReferrerToken(db, user.id);
      if (!snapshot) return c.json({ token }, 200);
      const scene = encodeScene({ shareCode: snapshot.def.shareCode, referrer: token });
      return c.json({ token, campaignId: snapshot.def.id, scene, path: `${page}?scene=${encodeURIComponent(scene)}` }, 200);
    });
}
