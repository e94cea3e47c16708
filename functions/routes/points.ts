import { createRoute } from '@hono/zod-openapi';
import { requireCommunity, requireCommunityRight, requireCommunityVisible } from '../../shared/communities/index.js';
import { EMPTY_BALANCE, pointsRulesProblem, titleBasis, titleFor } from '../../shared/domain/index.js';
import { ValidationError } from '../../shared/errors.js';
import { getPointsBalance, getPointsRules, listPointsEvents, putPointsRules, requirePointsReader } from '../../shared/points/index.js';
import type { AppDeps } from '../env.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { bearer, errors, jsonResponse, PageQuery } from '../schemas/common.js';
import { MyPointsSchema, PointsIdParam, PointsRulesBody, PointsRulesSchema } from '../schemas/points.js';
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

export function pointsRoutes(deps: AppDeps) {
  const { db } = deps;
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
