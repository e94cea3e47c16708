import { createRoute, z } from '@hono/zod-openapi';
import { editCampaign, requireCampaign, requireLeader } from '../../shared/campaigns/index.js';
import { campaignView } from '../../shared/domain/index.js';
import { ValidationError } from '../../shared/errors.js';
import type { AppDeps } from '../env.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { CampaignSchema } from '../schemas/campaign.js';
import { bearer, CampaignIdParam, errors, jsonResponse } from '../schemas/common.js';
import { newRouter } from '../validation.js';

const AcknowledgeBody = z
  .object({
    fields: z
      .array(z.string().min(1).max(64))
      .max(200)
      .optional()
      .openapi({
        description: 'the flagged paths to clear (as in contentReview, e.g. "title", "items[0].name"); absent: all of them',
        example: ['title'],
      }),
  })
  .openapi('ContentReviewAcknowledge');

const acknowledgeRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/content-review/acknowledge',
  tags: ['Campaigns'],
  summary: 'The leader has looked at the texts WeChat content security flagged for review and keeps them: the flags are cleared',
  description:
    'A `review` verdict publishes the text and flags it (`contentReview`) for the leader. Keeping it as it is clears its flag here; changing it is an edit ' +
    '(PATCH /campaigns/{id}), which checks the new text again. While the campaign can be edited (draft or open), like any edit; 409 INVALID_STATE after.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam, body: { required: true, content: { 'application/json': { schema: AcknowledgeBody } } } },
  responses: {
    200: jsonResponse(CampaignSchema, 'The campaign, without those flags'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
  },
});

export function contentReviewRoutes(deps: AppDeps) {
  const { db } = deps;
  return newRouter().openapi(acknowledgeRoute, async (c) => {
    const user = requireUser(c);
    const { id } = c.req.valid('param');
    const before = await requireCampaign(db, id);
    await requireLeader(db, before, user.id, 'clear content review flags');
    const flagged = before.def.contentReview ?? [];
    const fields = c.req.valid('json').fields ?? flagged;
    const unknown = fields.filter((f) => !flagged.includes(f));
    if (unknown.length > 0) {
      throw new ValidationError('Only flagged texts can be acknowledged', {
        fields: unknown.map((f) => ({ path: 'body.fields', message: `${f} is not flagged` })),
      });
    }
    // Checked and found fine by the leader: the edit's own rule (checked fields lose their flag) clears them.
    const after = await editCampaign(db, id, { contentReview: { checked: fields, review: [] } });
    return c.json(campaignView(after.def, after.state, db.clock.now()), 200);
  });
}
