import { createRoute } from '@hono/zod-openapi';
import { requireCampaign, requireLeaderOrHelper } from '../../shared/campaigns/index.js';
import { templateIds } from '../../shared/domain/index.js';
import { UnknownTemplateError } from '../../shared/errors.js';
import { addGrants, campaignMessages, listGrants, markArrived } from '../../shared/messages/index.js';
import type { AppDeps } from '../env.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { bearer, CampaignIdParam, errors, jsonResponse } from '../schemas/common.js';
import { ArrivalView, CampaignMessagesView, GrantList, PickupPointParam, SubscriptionsBody } from '../schemas/message.js';
import { newRouter } from '../validation.js';

const json = <T>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });

const addSubscriptionsRoute = createRoute({
  method: 'post',
  path: '/me/subscriptions',
  tags: ['Messages'],
  summary: 'Report one-time subscribe grants the member accepted (wx.requestSubscribeMessage)',
  description:
    'Each id adds one grant (WeChat keeps one per acceptance); one message of that template uses one. Ids must be templates this deployment sends, else 422 UNKNOWN_TEMPLATE. A leader reports the digest template (new-entries) here too, a member the payment reminder (hold-expiring) on the join tap.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { body: json(SubscriptionsBody) },
  responses: {
    200: jsonResponse(GrantList, 'All your grants left'),
    400: errors[400],
    401: errors[401],
    404: errors[404],
    415: errors[415],
    422: { description: 'UNKNOWN_TEMPLATE: `details.templateIds` are not sent by this deployment', content: errors[422].content },
  },
});

const listSubscriptionsRoute = createRoute({
  method: 'get',
  path: '/me/subscriptions',
  tags: ['Messages'],
  summary: 'Your subscribe grants left, per template (and campaign)',
  security: bearer,
  middleware: [signedIn] as const,
  responses: { 200: jsonResponse(GrantList, 'Your grants left'), 401: errors[401] },
});

const arrivedRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/pickup-points/{pointId}/arrived',
  tags: ['Messages'],
  summary: 'Staff: the goods arrived at this pickup point; its members are told to come (once)',
  description: 'Only after a successful settlement. Saying it again answers the first arrival (`repeated: true`) and sends nothing.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: PickupPointParam },
  responses: {
    200: jsonResponse(ArrivalView, 'The arrival'),
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
  },
});

const campaignMessagesRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/messages',
  tags: ['Messages'],
  summary: 'Staff: what the campaign told whom (subscribe messages), per event and member',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam },
  responses: { 200: jsonResponse(CampaignMessagesView, 'Events and messages'), 401: errors[401], 403: errors[403], 404: errors[404] },
});

export function messageRoutes(deps: AppDeps) {
  const { db } = deps;
  return newRouter()
    .openapi(addSubscriptionsRoute, async (c) => {
      const user = requireUser(c);
      const body = c.req.valid('json');
      const known = deps.messaging ? templateIds(deps.messaging.templates) : new Set<string>();
      const unknown = body.templateIds.filter((id) => !known.has(id));
      if (unknown.length > 0)
        throw new UnknownTemplateError('These template ids are not sent by this deployment', { templateIds: unknown });
      // A grant for a campaign that does not exist would never be used: 404 first.
      if (body.campaignId !== undefined) await requireCampaign(db, body.campaignId);
      return c.json({ grants: await addGrants(db, user.id, body.templateIds, body.campaignId) }, 200);
    })
    .openapi(listSubscriptionsRoute, async (c) => c.json({ grants: await listGrants(db, requireUser(c).id) }, 200))
    .openapi(arrivedRoute, async (c) => {
      const user = requireUser(c);
      const { id, pointId } = c.req.valid('param');
      const snapshot = await requireCampaign(db, id);
      await requireLeaderOrHelper(db, snapshot, user.id, 'mark goods arrived');
      return c.json(await markArrived(db, snapshot, pointId, user.id), 200);
    })
    .openapi(campaignMessagesRoute, async (c) => {
      const user = requireUser(c);
      const { id } = c.req.valid('param');
      const snapshot = await requireCampaign(db, id);
      await requireLeaderOrHelper(db, snapshot, user.id, 'see sent messages');
      return c.json({ campaignId: id, ...(await campaignMessages(db, id)) }, 200);
    });
}
