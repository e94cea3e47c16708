import { createRoute } from '@hono/zod-openapi';
import { requireCampaign, requireRole } from '../../shared/campaigns/index.js';
import { settlementPage } from '../../shared/settlement/index.js';
import { reportShortage } from '../../shared/use-cases/index.js';
import type { AppDeps } from '../env.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { bearer, CampaignIdParam, errors, jsonResponse } from '../schemas/common.js';
import { SettlementSchema, ShortageBody } from '../schemas/settlement.js';
import { newRouter } from '../validation.js';

/** Entries on the answer's first page, as GET …/settlement gives by default. */
const FIRST_PAGE = 1000;

const shortageRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/shortage',
  tags: ['Settlement'],
  summary: 'Leader reports a shortage after a successful settlement: fewer units delivered than sold, shared out fifo or pro rata',
  description:
    'Each affected entry then gets (and pays for, at the settled final unit price) its delivered units: the settlement, its CSV and the pickup list show them (`ordered` where they differ). ' +
    'A wechatpay campaign refunds each entry the difference (follow them in GET /campaigns/{id}/refunds); an offline one’s payments view shows what is owed back. ' +
    'Recorded once: the same request again answers the same settlement; a different one is 409 INVALID_STATE. delivered above sold is 400 VALIDATION_FAILED. ' +
    'Before settling, for a failed group or a called-off campaign: 409 INVALID_STATE.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam, body: { content: { 'application/json': { schema: ShortageBody } }, required: true } },
  responses: {
    200: jsonResponse(SettlementSchema, 'The settlement with the shortage (first page of entries; see nextCursor)'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
  },
});

export function shortageRoutes(deps: AppDeps) {
  const { db } = deps;
  return newRouter().openapi(shortageRoute, async (c) => {
    const user = requireUser(c);
    const { id } = c.req.valid('param');
    const snapshot = await requireCampaign(db, id);
    await requireRole(db, snapshot, user, ['leader'], 'report a shortage');
    const summary = await reportShortage(deps, snapshot, user.id, c.req.valid('json'));
    return c.json(await settlementPage(db, summary, FIRST_PAGE), 200);
  });
}
