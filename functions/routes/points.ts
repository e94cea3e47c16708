import { createRoute } from '@hono/zod-openapi';
import { requireCampaign, requireVisibleCampaign } from '../../shared/campaigns/index.js';
import { requireCommunity, requireCommunityRight, requireCommunityVisible } from '../../shared/communities/index.js';
import { EMPTY_BALANCE, pointsRulesProblem, titleBasis, titleFor } from '../../shared/domain/index.js';
import { requireEntry } from '../../shared/entries/index.js';
import { ForbiddenError, ValidationError } from '../../shared/errors.js';
import { getPointsBalance, getPointsRules, listPointsEvents, putPointsRules, requirePointsReader } from '../../shared/points/index.js';
import { releaseEntryPoints, reserveEntryPoints } from '../../shared/use-cases/index.js';
import type { AppDeps } from '../env.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { bearer, errors, jsonResponse, PageQuery } from '../schemas/common.js';
import { EntryParams } from '../schemas/entry.js';
import {
  MyPointsSchema,
  PointsHoldSchema,
  PointsIdParam,
  PointsRulesBody,
  PointsRulesSchema,
  ReservePointsBody,
} from '../schemas/points.js';
import { newRouter } from '../validation.js';

const getRulesRoute = createRoute({
  method: 'get',
  path: '/communities/{id}/points-rules',
  tags: ['Points 积分'],
  summary: "The community's points rules (members and the team); never set: everything off (version 0)",
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: PointsIdParam },
  responses: { 200: jsonResponse(PointsRulesSchema, 'The rules'), 401: errors[401], 403: errors[403], 404: errors[404] },
});

const putRulesRoute = createRoute({
  method: 'put',
  path: '/communities/{id}/points-rules',
  tags: ['Points 积分'],
  summary:
    'The owner sets the points rules: points per event, spending limits, titles (荣誉称号); the titles map is rebuilt under the new ladder',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: PointsIdParam, body: { required: true, content: { 'application/json': { schema: PointsRulesBody } } } },
  responses: {
    200: jsonResponse(PointsRulesSchema, 'The rules as stored'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: { description: 'CONFLICT: the rules changed meanwhile (retry)', content: errors[409].content },
    415: errors[415],
  },
});

const myPointsRoute = createRoute({
  method: 'get',
  path: '/communities/{id}/points/me',
  tags: ['Points 积分'],
  summary: 'My points in the community: totals, title and my ledger (oldest ref first, paged)',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: PointsIdParam, query: PageQuery },
  responses: { 200: jsonResponse(MyPointsSchema, 'My points'), 400: errors[400], 401: errors[401], 404: errors[404] },
});

const reserveRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/entries/{entryId}/points',
  tags: ['Points 积分'],
  summary:
    'The entry’s member reserves points to spend on it at settlement (replaces an earlier reservation); open or closed, not yet settled',
  description:
    'At settlement the discount is min(points × fenPerPoint, maxFenPerEntry, maxPercentOfEntry % of the final amount), in whole points; it is the entry’s ' +
    '`pointsDiscount` line in the settlement and the payments view, comes off what the member owes (a prepaid entry’s 退差价 includes it), and the points it does not use go back.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: EntryParams, body: { required: true, content: { 'application/json': { schema: ReservePointsBody } } } },
  responses: {
    200: jsonResponse(PointsHoldSchema, 'The reservation'),
    400: { description: 'VALIDATION_FAILED: more points than the rules let this entry use (`details.max`)', content: errors[400].content },
    401: errors[401],
    403: { description: 'FORBIDDEN: not the entry’s member', content: errors[403].content },
    404: errors[404],
    409: {
      description:
        'INSUFFICIENT_POINTS: the balance does not cover it; INVALID_STATE: not a community campaign, spending is off, the entry is not active, or the campaign is settled / called off; CONFLICT (retry)',
      content: errors[409].content,
    },
    415: errors[415],
  },
});

const releaseRoute = createRoute({
  method: 'delete',
  path: '/campaigns/{id}/entries/{entryId}/points',
  tags: ['Points 积分'],
  summary: 'The entry’s member gives the reservation back (before settlement); nothing reserved: answered unchanged',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: EntryParams },
  responses: {
    200: jsonResponse(PointsHoldSchema, 'No reservation any more'),
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
  },
});

export function pointsRoutes(deps: AppDeps) {
  const { db } = deps;
  /** Points are spent on an entry by its member only (staff neither spend nor release them). */
  const entryMemberOnly = async (id: string, entryId: string, userId: string) => {
    const snapshot = await requireCampaign(db, id);
    await requireVisibleCampaign(db, snapshot, userId);
    const entry = await requireEntry(db, id, entryId);
    if (entry.userId !== userId) throw new ForbiddenError('Only the member of this entry can spend points on it');
    return snapshot;
  };
  return newRouter()
    .openapi(getRulesRoute, async (c) => {
      const user = requireUser(c);
      const community = await requireCommunity(db, c.req.valid('param').id);
      await requirePointsReader(db, community, user.id);
      const { updatedBy: _by, ...rules } = await getPointsRules(db, community.id);
      return c.json(rules, 200);
    })
    .openapi(putRulesRoute, async (c) => {
      const user = requireUser(c);
      const community = await requireCommunity(db, c.req.valid('param').id);
      await requireCommunityRight(db, community, user.id, 'manage-community', 'set its points rules');
      const body = c.req.valid('json');
      const problem = pointsRulesProblem(body);
      if (problem) throw new ValidationError(problem, { fields: [{ path: 'body.titles', message: problem }] });
      const { updatedBy: _by, ...stored } = await putPointsRules(db, community.id, body, user.id);
      deps.logger.info('points rules set', { requestId: c.get('requestId'), communityId: community.id, version: stored.version });
      return c.json(stored, 200);
    })
    .openapi(reserveRoute, async (c) => {
      const user = requireUser(c);
      const { id, entryId } = c.req.valid('param');
      const snapshot = await entryMemberOnly(id, entryId, user.id);
      const result = await reserveEntryPoints(db, snapshot, entryId, user.id, c.req.valid('json').points);
      deps.logger.info('points reserved', { requestId: c.get('requestId'), campaignId: id, entryId, points: result.points });
      return c.json(result, 200);
    })
    .openapi(releaseRoute, async (c) => {
      const user = requireUser(c);
      const { id, entryId } = c.req.valid('param');
      const snapshot = await entryMemberOnly(id, entryId, user.id);
      const result = await releaseEntryPoints(db, snapshot, entryId, user.id);
      deps.logger.info('points released', { requestId: c.get('requestId'), campaignId: id, entryId });
      return c.json(result, 200);
    })
    .openapi(myPointsRoute, async (c) => {
      const user = requireUser(c);
      const community = await requireCommunity(db, c.req.valid('param').id);
      await requireCommunityVisible(db, community, user.id);
      const { limit, cursor } = c.req.valid('query');
      const [balance, rules, page] = await Promise.all([
        getPointsBalance(db, community.id, user.id),
        getPointsRules(db, community.id),
        listPointsEvents(db, community.id, user.id, limit, cursor),
      ]);
      const totals = balance ?? EMPTY_BALANCE;
      return c.json(
        {
          communityId: community.id,
          earned: totals.earned,
          spent: totals.spent,
          reversed: totals.reversed,
          balance: totals.balance,
          title: titleFor(rules.titles, titleBasis(totals)),
          events: page.events.map((e) => ({
            ref: e.ref,
            kind: e.kind,
            points: e.points,
            reason: e.reason,
            at: e.at,
            campaignId: e.campaignId ?? null,
            entryId: e.entryId ?? null,
            of: e.of ?? null,
          })),
          nextCursor: page.nextCursor,
        },
        200,
      );
    });
}
