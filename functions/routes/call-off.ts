import { createRoute, z } from '@hono/zod-openapi';
import { requireCampaign, requireRole } from '../../shared/campaigns/index.js';
import { callOff } from '../../shared/use-cases/index.js';
import type { AppDeps } from '../env.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { CallOffSchema } from '../schemas/campaign.js';
import { bearer, CampaignIdParam, errors, jsonResponse } from '../schemas/common.js';
import { CallOffBody } from '../schemas/settlement.js';
import { newRouter } from '../validation.js';

const CallOffResult = z.object({ campaignId: z.string(), status: z.literal('cancelled'), callOff: CallOffSchema }).openapi('CallOffResult');

const callOffRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/call-off',
  tags: ['Settlement'],
  summary: 'Leader calls the campaign off (open, closed or settled): every entry cancelled, every payment refunded in full',
  description:
    'The campaign gets status `cancelled` with `callOff` (cancelReason, cancelledAt, cancelledBy, previousStatus); joins are then 409 CAMPAIGN_NOT_OPEN and every entry reads as cancelled. ' +
    'A wechatpay campaign refunds everything paid (follow them in GET /campaigns/{id}/refunds; the sweep finishes and retries them). ' +
    'An offline campaign’s payments view shows each paid entry owed its money back; the leader records it with PUT …/payment. ' +
    'Calling off again answers the same call-off (200) and refunds nothing twice. A draft is 409 INVALID_STATE.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam, body: { content: { 'application/json': { schema: CallOffBody } }, required: true } },
  responses: {
    200: jsonResponse(CallOffResult, 'The call-off (the first one, for a repeat)'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
  },
});

export function callOffRoutes(deps: AppDeps) {
  const { db } = deps;
  return newRouter().openapi(callOffRoute, async (c) => {
    const user = requireUser(c);
    const { id } = c.req.valid('param');
    const snapshot = await requireCampaign(db, id);
    await requireRole(db, snapshot, user, ['leader'], 'call the campaign off');
    const result = await callOff(deps, snapshot, user.id, c.req.valid('json').reason);
    deps.logger.info('campaign called off', { requestId: c.get('requestId'), campaignId: id, previousStatus: result.previousStatus });
    return c.json({ campaignId: id, status: 'cancelled' as const, callOff: result }, 200);
  });
}
