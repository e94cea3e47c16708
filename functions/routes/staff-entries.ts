import { createRoute, z } from '@hono/zod-openapi';
import { verificationKeys } from '../../shared/auth/index.js';
import { requireCampaign, requireLeaderOrHelper, requireVisibleCampaign } from '../../shared/campaigns/index.js';
import { entryView } from '../../shared/domain/index.js';
import { claimStaffEntry, enterForMember, entryCode, entryCodeKeys, isGuestId, requireEntry } from '../../shared/entries/index.js';
import { InvalidStateError } from '../../shared/errors.js';
import { toEntry } from '../../shared/table/index.js';
import { CONTENT_SCENES, checkContent } from '../../shared/wechat/index.js';
import type { AppDeps } from '../env.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { bearer, CampaignIdParam, errors, jsonResponse } from '../schemas/common.js';
import { ClaimBody, ClaimCode, EntryParams, EntrySchema, StaffEntryBody } from '../schemas/entry.js';
import { newRouter } from '../validation.js';

const StaffEntrySchema = EntrySchema.extend({
  enteredBy: z.string().openapi({ description: 'the leader or helper who entered it' }),
  claimCode: z.string().openapi({ description: 'give it to the member: POST /campaigns/{id}/entries/claim takes the entry over' }),
}).openapi('StaffEntry');

const createStaffEntry = createRoute({
  method: 'post',
  path: '/campaigns/{id}/staff-entries',
  tags: ['接龙 entries'],
  summary: '代客下单: the leader or a helper enters an order a member placed in the group chat',
  description:
    'The entry is a join for a guest (userId `g_…`): it takes the next number and counts toward stock, tiers and per-person limits like any join, and is paid offline ' +
    '(offline campaigns only: in a wechatpay campaign members join and pay in the mini-program; 409 INVALID_STATE). ' +
    'Send an Idempotency-Key so that a retry returns the same entry (scoped to you and the campaign). The answer carries a claim code for the member.',
  security: bearer,
  middleware: [signedIn] as const,
  request: {
    params: CampaignIdParam,
    headers: z.object({ 'idempotency-key': z.string().min(1).max(255).optional() }),
    body: { required: true, content: { 'application/json': { schema: StaffEntryBody } } },
  },
  responses: {
    201: {
      ...jsonResponse(StaffEntrySchema, 'The entry (for a retried Idempotency-Key, the first one; header Idempotent-Replayed: true)'),
      headers: z.object({
        'Idempotent-Replayed': z
          .literal('true')
          .optional()
          .openapi({ description: 'present when a retry was answered with the first entry' }),
      }),
    },
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
    422: errors[422],
    503: errors[503],
  },
});

const claimCodeRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/entries/{entryId}/claim-code',
  tags: ['接龙 entries'],
  summary: 'The claim code of an entry staff entered (leader and helpers), while no member has claimed it',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: EntryParams },
  responses: { 200: jsonResponse(ClaimCode, 'The code'), 401: errors[401], 403: errors[403], 404: errors[404], 409: errors[409] },
});

const claimRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/entries/claim',
  tags: ['接龙 entries'],
  summary: 'A member takes over the entry staff entered for them, with its claim code',
  description:
    'The entry becomes yours (number, lines and payment unchanged): change or cancel it like your own join. 409 ALREADY_JOINED if you already have an active entry here, ' +
    '403 BLOCKED if you are blocked from the campaign, 409 INVALID_STATE if it was cancelled or claimed by someone else; claiming your own entry again answers it again.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam, body: { required: true, content: { 'application/json': { schema: ClaimBody } } } },
  responses: {
    200: jsonResponse(EntrySchema, 'Your entry'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: { description: 'NOT_FOUND: no entry of this campaign has this claim code', content: errors[404].content },
    409: errors[409],
  },
});

export function staffEntryRoutes(deps: AppDeps) {
  const { db } = deps;
  // Current and previous signing secrets: a code handed out before a rotation still works.
  const claimKeys = entryCodeKeys(
    verificationKeys(deps.tokens).map((k) => k.secret),
    'claim',
  );
  return newRouter()
    .openapi(createStaffEntry, async (c) => {
      const user = requireUser(c);
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const snapshot = await requireCampaign(db, id);
      await requireLeaderOrHelper(db, snapshot, user.id, 'enter orders for members');
      if (snapshot.def.paymentMode !== 'offline') {
        throw new InvalidStateError('Staff entries are paid offline: in a WeChat Pay campaign members join and pay in the mini-program', {
          paymentMode: snapshot.def.paymentMode,
        });
      }
      // The name and note will be on the public list: checked like a member's (the staff member is the author).
      const review = await checkContent(
        deps.contentCheck,
        db,
        user.id,
        [
          { field: 'body.name', text: body.name, scene: CONTENT_SCENES.profile },
          { field: 'body.note', text: body.note, scene: CONTENT_SCENES.comment },
        ],
        'refuse',
      );
      const result = await enterForMember(db, snapshot, {
        staffId: user.id,
        nickname: body.name,
        items: body.items,
        note: body.note ?? null,
        pickupPointId: body.pickupPointId ?? null,
        phone: body.phone ?? null,
        ...(c.req.valid('header')['idempotency-key'] !== undefined ? { idempotencyKey: c.req.valid('header')['idempotency-key']! } : {}),
        ...(review.length > 0 ? { contentReview: review.map((f) => f.replace(/^body\./, '')) } : {}),
      });
      if (result.replayed) c.header('Idempotent-Replayed', 'true');
      const record = await requireEntry(db, id, result.entry.id);
      return c.json(
        {
          ...entryView(result.entry, { kind: 'leader', userId: user.id }),
          enteredBy: record.enteredBy ?? user.id,
          claimCode: entryCode(claimKeys, id, record),
        },
        201,
      );
    })
    .openapi(claimCodeRoute, async (c) => {
      const user = requireUser(c);
      const { id, entryId } = c.req.valid('param');
      const snapshot = await requireCampaign(db, id);
      await requireLeaderOrHelper(db, snapshot, user.id, 'see claim codes');
      const entry = await requireEntry(db, id, entryId);
      if (!entry.enteredBy || !isGuestId(entry.userId))
        throw new InvalidStateError('Only an unclaimed entry that staff entered has a claim code');
      return c.json({ entryId, code: entryCode(claimKeys, id, entry) }, 200);
    })
    .openapi(claimRoute, async (c) => {
      const user = requireUser(c);
      const { id } = c.req.valid('param');
      const snapshot = await requireCampaign(db, id);
      await requireVisibleCampaign(db, snapshot, user.id);
      if (snapshot.state.status === 'cancelled') throw new InvalidStateError('The campaign was called off: its entries are cancelled');
      const entry = await claimStaffEntry(db, claimKeys, id, c.req.valid('json').code, user, snapshot.def.maxEntriesPerUser);
      deps.logger.info('staff entry claimed', { requestId: c.get('requestId'), campaignId: id, entryId: entry.id });
      return c.json(entryView(toEntry(entry), { kind: 'user', userId: user.id }), 200);
    });
}
