import { createRoute, type RouteHandler } from '@hono/zod-openapi';
import { requireCampaign, requireLeader } from '../../shared/campaigns/index.js';
import {
  createCommunity,
  getMembership,
  listUserMemberships,
  requireCommunity,
  requireCommunityRight,
  requireCommunityVisible,
  teamRole,
  updateCommunity,
} from '../../shared/communities/index.js';
import { imageStatus } from '../../shared/domain/index.js';
import { ValidationError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { batchGetAll, keys } from '../../shared/table/index.js';
import { attachCampaign, COMMUNITY_PAGE_CAMPAIGNS, communityCampaigns } from '../../shared/use-cases/index.js';
import { campaignCard, communityView, membershipView } from '../community-views.js';
import type { AppDeps, AppEnv } from '../env.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { putTwin } from '../middleware/method-override.js';
import { bearer, errors, jsonResponse, PageQuery } from '../schemas/common.js';
import {
  AttachCampaignBody,
  CommunityCampaignPage,
  CommunityIdParam,
  CommunityPage,
  CommunitySchema,
  CreateCommunityBody,
  EditCommunityBody,
  MyCommunityPage,
} from '../schemas/community.js';
import { newRouter } from '../validation.js';

/** Public routes: a bearer is optional (signed in, the caller's standing shows). */
const optionalBearer: Array<Record<string, string[]>> = [{}, { bearerAuth: [] }];

const create = createRoute({
  method: 'post',
  path: '/communities',
  tags: ['Communities'],
  summary: 'Create a community (社群); the caller is its owner. `fromCampaignId` builds it from a campaign the caller leads',
  security: bearer,
  middleware: [signedIn] as const,
  request: { body: { required: true, content: { 'application/json': { schema: CreateCommunityBody } } } },
  responses: {
    201: jsonResponse(CommunitySchema, 'The new community'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
    415: errors[415],
  },
});

const get = createRoute({
  method: 'get',
  path: '/communities/{id}',
  tags: ['Communities'],
  summary:
    'The community page: the community and its open and recent campaigns. Public communities for anyone; private ones for their members and team (404 else)',
  security: optionalBearer,
  request: { params: CommunityIdParam },
  responses: { 200: jsonResponse(CommunityPage, 'The community'), 404: errors[404] },
});

const edit = createRoute({
  method: 'patch',
  path: '/communities/{id}',
  tags: ['Communities'],
  summary: 'Owner edits the community: name, description, join rule, public page, cover; rotates the invite code',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CommunityIdParam, body: { required: true, content: { 'application/json': { schema: EditCommunityBody } } } },
  responses: {
    200: jsonResponse(CommunitySchema, 'The community'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
    415: errors[415],
  },
});

const listCampaigns = createRoute({
  method: 'get',
  path: '/communities/{id}/campaigns',
  tags: ['Communities'],
  summary: 'Campaigns published into the community, newest first (as visible as the community)',
  security: optionalBearer,
  request: { params: CommunityIdParam, query: PageQuery },
  responses: { 200: jsonResponse(CommunityCampaignPage, 'A page of campaigns'), 400: errors[400], 404: errors[404] },
});

const attach = createRoute({
  method: 'post',
  path: '/communities/{id}/campaigns',
  tags: ['Communities'],
  summary:
    "Move a campaign you lead into the community (owner or admin): its helpers join the community's team; one of another community is 409",
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CommunityIdParam, body: { required: true, content: { 'application/json': { schema: AttachCampaignBody } } } },
  responses: {
    200: jsonResponse(CommunityCampaignPage.pick({ campaigns: true }), 'The campaign as published there'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
    415: errors[415],
  },
});

const mine = createRoute({
  method: 'get',
  path: '/me/communities',
  tags: ['Me'],
  summary: 'Communities I stand in (member, team, waiting, following, left), newest first',
  security: bearer,
  middleware: [signedIn] as const,
  request: { query: PageQuery },
  responses: { 200: jsonResponse(MyCommunityPage, 'A page of memberships'), 400: errors[400], 401: errors[401] },
});

export function communityRoutes(deps: AppDeps) {
  const { db } = deps;
  const editHandler: RouteHandler<typeof edit, AppEnv> = async (c) => {
    const user = requireUser(c);
    const community = await requireCommunity(db, c.req.valid('param').id);
    await requireCommunityRight(db, community, user.id, 'manage-community', 'edit the community');
    const body = c.req.valid('json');
    if (body.cover) await requireCoverPhoto(deps, community.id, body.cover);
    const after = await updateCommunity(db, community, body);
    return c.json(communityView(deps, c.req.url, after, { role: teamRole(after, user.id), membership: null }), 200);
  };
  return newRouter()
    .openapi(create, async (c) => {
      const user = requireUser(c);
      const body = c.req.valid('json');
      const now = db.clock.now();
      // Building it from a campaign: only that campaign's leader, checked before anything is written.
      const source = body.fromCampaignId ? await requireCampaign(db, body.fromCampaignId) : null;
      if (source) {
        await requireLeader(db, source, user.id, 'build a community from this campaign');
        if (source.def.communityId)
          throw new ValidationError('That campaign is already published into a community', {
            fields: [{ path: 'body.fromCampaignId', message: 'already in a community' }],
          });
      }
      const community = await createCommunity(
        db,
        {
          id: newId('g', now),
          ownerId: user.id,
          name: body.name,
          description: body.description ?? '',
          joinRule: body.joinRule ?? 'open',
          public: body.public ?? false,
          cover: null,
          createdAt: now.toISOString(),
        },
        { nickname: user.nickname ?? '' },
      );
      if (source) await attachCampaign(deps, community, source, user.id);
      deps.logger.info('community created', { requestId: c.get('requestId'), communityId: community.id, fromCampaignId: source?.def.id });
      return c.json(communityView(deps, c.req.url, community, { role: 'owner', membership: null }), 201);
    })
    .openapi(get, async (c) => {
      const userId = c.get('user')?.id;
      const community = await requireCommunity(db, c.req.valid('param').id);
      await requireCommunityVisible(db, community, userId);
      const [membership, page] = await Promise.all([
        userId ? getMembership(db, community.id, userId) : null,
        communityCampaigns(db, community, COMMUNITY_PAGE_CAMPAIGNS),
      ]);
      const now = db.clock.now();
      const cards = page.snapshots.map((s) => campaignCard(s, now));
      return c.json(
        {
          ...communityView(deps, c.req.url, community, { role: teamRole(community, userId), membership }),
          openCampaigns: cards.filter((card) => card.status === 'open'),
          recentCampaigns: cards.filter((card) => card.status !== 'open'),
        },
        200,
      );
    })
    .openapi(edit, editHandler)
    .openapi(putTwin(edit), editHandler)
    .openapi(listCampaigns, async (c) => {
      const community = await requireCommunity(db, c.req.valid('param').id);
      await requireCommunityVisible(db, community, c.get('user')?.id);
      const { limit, cursor } = c.req.valid('query');
      const page = await communityCampaigns(db, community, limit, cursor);
      const now = db.clock.now();
      return c.json({ campaigns: page.snapshots.map((s) => campaignCard(s, now)), nextCursor: page.nextCursor }, 200);
    })
    .openapi(attach, async (c) => {
      const user = requireUser(c);
      const community = await requireCommunity(db, c.req.valid('param').id);
      await requireCommunityRight(db, community, user.id, 'publish-campaigns', 'publish campaigns into it');
      const snapshot = await requireCampaign(db, c.req.valid('json').campaignId);
      await requireLeader(db, snapshot, user.id, 'move the campaign into a community');
      const outcome = await attachCampaign(deps, community, snapshot, user.id);
      deps.logger.info('campaign moved into community', {
        requestId: c.get('requestId'),
        communityId: community.id,
        campaignId: snapshot.def.id,
        helpersMoved: outcome.helpersMoved.length,
      });
      return c.json({ campaigns: [campaignCard(outcome.snapshot, db.clock.now())] }, 200);
    })
    .openapi(mine, async (c) => {
      const user = requireUser(c);
      const { limit, cursor } = c.req.valid('query');
      const page = await listUserMemberships(db, user.id, limit, cursor);
      // One BatchGet for the names: a membership keeps no copy of the community's name.
      const metas = await batchGetAll(
        db,
        page.memberships.map((m) => keys.communityMeta(m.communityId)),
        { projection: 'communityId, #name', names: { '#name': 'name' } },
      );
      const names = new Map(metas.map((m) => [m.communityId as string, m.name as string]));
      const memberships = page.memberships
        .filter((m) => m.status !== 'removed')
        .map((m) => ({ ...membershipView(m), communityName: names.get(m.communityId) ?? '' }));
      return c.json({ memberships, nextCursor: page.nextCursor }, 200);
    });
}

/** A cover is a photo of one of the community's own campaigns that passed WeChat's image check (and shows to anyone). */
async function requireCoverPhoto(deps: AppDeps, communityId: string, cover: { campaignId: string; imageId: string }) {
  const invalid = (message: string) =>
    new ValidationError(`The cover must be a shown photo of one of this community's campaigns: ${message}`, {
      fields: [{ path: 'body.cover', message }],
    });
  const snapshot = await requireCampaign(deps.db, cover.campaignId).catch(() => null);
  if (!snapshot || snapshot.def.communityId !== communityId) throw invalid('not a campaign of this community');
  const image = snapshot.def.images?.[cover.imageId];
  if (!image || imageStatus(image) !== 'visible') throw invalid('no such photo, or not passed yet');
}
