import { createRoute, z } from '@hono/zod-openapi';
import { listStaffActions } from '../../shared/audit/index.js';
import { addHelper, listHelpers, removeHelper, requireCampaign, requireLeader, requireRole } from '../../shared/campaigns/index.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import { getUser } from '../../shared/people/index.js';
import type { AppDeps } from '../env.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { bearer, CampaignIdParam, errors, jsonResponse, PageQuery } from '../schemas/common.js';
import { newRouter } from '../validation.js';

const HelperSchema = z
  .object({
    userId: z.string(),
    nickname: z.string().openapi({ description: "the helper's current profile nickname" }),
    addedBy: z.string(),
    addedAt: z.string(),
  })
  .openapi('Helper');

const HelperList = z.object({ helpers: z.array(HelperSchema) }).openapi('HelperList');

const AddHelperBody = z
  .object({
    userId: z.string().trim().min(1).max(200).openapi({ description: 'The user id of the helper (from their GET /me)', example: 'u_abc' }),
  })
  .openapi('AddHelperRequest');

const HelperParams = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'id', in: 'path' } }),
  userId: z
    .string()
    .min(1)
    .openapi({ param: { name: 'userId', in: 'path' } }),
});

const addRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/helpers',
  tags: ['Helpers'],
  summary: 'Leader adds a helper (团长助手): sees the full list, closes the campaign, marks pickups. Adding twice keeps the first',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam, body: { required: true, content: { 'application/json': { schema: AddHelperBody } } } },
  responses: {
    201: jsonResponse(HelperSchema, 'The helper'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
    415: errors[415],
  },
});

const removeRoute = createRoute({
  method: 'delete',
  path: '/campaigns/{id}/helpers/{userId}',
  tags: ['Helpers'],
  summary: 'Leader removes a helper (204, also when they were not one)',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: HelperParams },
  responses: { 204: { description: 'Removed' }, 401: errors[401], 403: errors[403], 404: errors[404] },
});

const listRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/helpers',
  tags: ['Helpers'],
  summary: "The campaign's helpers (leader and helpers)",
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam },
  responses: { 200: jsonResponse(HelperList, 'The helpers, oldest first'), 401: errors[401], 403: errors[403], 404: errors[404] },
});

const StaffActionPage = z
  .object({
    actions: z.array(
      z.object({
        at: z.string(),
        actorId: z.string(),
        role: z.enum(['leader', 'staff']).openapi({ description: 'staff: a helper, or a member of the community team' }),
        operation: z.string().openapi({ example: 'POST /campaigns/{id}/entries/{entryId}/pickup' }),
        entryId: z.string().nullable(),
        status: z.number().int(),
        requestId: z.string(),
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .openapi('StaffActionPage');

const actionsRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/staff-actions',
  tags: ['Helpers'],
  summary: 'What the staff did to entries and money (who, which operation, when), newest first (leader and helpers)',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam, query: PageQuery },
  responses: {
    200: jsonResponse(StaffActionPage, 'A page of staff actions'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
  },
});

export function helperRoutes(deps: AppDeps) {
  const { db } = deps;
  return newRouter()
    .openapi(addRoute, async (c) => {
      const user = requireUser(c);
      const { id } = c.req.valid('param');
      const { userId } = c.req.valid('json');
      const snapshot = await requireCampaign(db, id);
      await requireLeader(db, snapshot, user.id, 'manage helpers');
      if (userId === snapshot.def.leaderId)
        throw new ValidationError('The leader cannot be a helper', { fields: [{ path: 'body.userId', message: 'is the leader' }] });
      const helperUser = await getUser(db, userId);
      if (!helperUser) throw new NotFoundError(`No user ${userId}`);
      const record = await addHelper(db, id, userId, user.id);
      deps.logger.info('helper added', { requestId: c.get('requestId'), campaignId: id, helperId: userId });
      return c.json({ ...record, nickname: helperUser.nickname }, 201);
    })
    .openapi(removeRoute, async (c) => {
      const user = requireUser(c);
      const { id, userId } = c.req.valid('param');
      const snapshot = await requireCampaign(db, id);
      await requireLeader(db, snapshot, user.id, 'manage helpers');
      await removeHelper(db, id, userId);
      deps.logger.info('helper removed', { requestId: c.get('requestId'), campaignId: id, helperId: userId });
      return c.body(null, 204);
    })
    .openapi(listRoute, async (c) => {
      const user = requireUser(c);
      const { id } = c.req.valid('param');
      const snapshot = await requireCampaign(db, id);
      await requireRole(db, snapshot, user, ['leader', 'helper'], 'see the helpers');
      return c.json({ helpers: await listHelpers(db, id) }, 200);
    })
    .openapi(actionsRoute, async (c) => {
      const user = requireUser(c);
      const { id } = c.req.valid('param');
      const snapshot = await requireCampaign(db, id);
      await requireRole(db, snapshot, user, ['leader', 'helper'], 'see what the staff did');
      const { limit, cursor } = c.req.valid('query');
      const page = await listStaffActions(db, id, limit, cursor);
      return c.json({ actions: page.actions.map(({ campaignId: _, ...a }) => a), nextCursor: page.nextCursor }, 200);
    });
}
