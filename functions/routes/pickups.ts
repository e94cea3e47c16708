import { createRoute, z } from '@hono/zod-openapi';
import { type TokenUser, verificationKeys } from '../../shared/auth/index.js';
import { type CampaignSnapshot, requireCampaign, requireEntryOwnerOrStaffTo, requireRole } from '../../shared/campaigns/index.js';
import { entryCode, entryForPickupCode, listPickups, PICKUP_UNDO_WINDOW_MS, pickupKeys, requireEntry } from '../../shared/entries/index.js';
import { InvalidStateError, NotFoundError } from '../../shared/errors.js';
import { pickUpEntry, undoPickup } from '../../shared/use-cases/index.js';
import type { AppDeps } from '../env.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { bearer, CampaignIdParam, errors, jsonResponse } from '../schemas/common.js';
import { EntryParams } from '../schemas/entry.js';
import { newRouter } from '../validation.js';

const PickupMarkSchema = z
  .object({
    entryId: z.string(),
    seq: z.number().int(),
    pickedUp: z.boolean(),
    pickedUpAt: z.string().nullable(),
    pickedUpBy: z.string().nullable().openapi({ description: 'user id of the leader or helper who ticked it off' }),
  })
  .openapi('PickupMark');

const PickupLineSchema = z.object({
  entryId: z.string(),
  seq: z.number().int(),
  userId: z.string(),
  nickname: z.string(),
  phone: z.string().nullable(),
  note: z.string().nullable(),
  items: z.array(z.object({ itemId: z.string(), qty: z.number().int() })),
  pickedUp: z.boolean(),
  pickedUpAt: z.string().nullable(),
  pickedUpBy: z.string().nullable(),
});

const PickupListSchema = z
  .object({
    campaignId: z.string(),
    pickedUp: z.number().int(),
    waiting: z.number().int(),
    pickupPoints: z.array(
      z.object({
        pickupPointId: z.string().nullable().openapi({ description: 'null: entries that chose no pickup point' }),
        name: z.string().nullable(),
        pickedUp: z.number().int(),
        waiting: z.number().int(),
        entries: z.array(PickupLineSchema),
      }),
    ),
  })
  .openapi('PickupList');

const markRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/entries/{entryId}/pickup',
  tags: ['Pickup 核销'],
  summary: 'Leader or helper marks an entry picked up (after settlement; active entries only). Marking again returns the first mark',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: EntryParams },
  responses: {
    200: jsonResponse(PickupMarkSchema, 'The mark'),
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: { description: 'INVALID_STATE: not settled (or the group failed), or the entry is cancelled', content: errors[409].content },
  },
});

const undoRoute = createRoute({
  method: 'delete',
  path: '/campaigns/{id}/entries/{entryId}/pickup',
  tags: ['Pickup 核销'],
  summary: `Undo a pickup mark within ${PICKUP_UNDO_WINDOW_MS / 60_000} minutes (later: 409 INVALID_STATE); an unmarked entry is returned unchanged`,
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: EntryParams },
  responses: {
    200: jsonResponse(PickupMarkSchema, 'The entry, no longer marked'),
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
  },
});

const listRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/pickups',
  tags: ['Pickup 核销'],
  summary: 'Active entries by pickup point with picked-up / waiting counts (leader and helpers, after settlement)',
  security: bearer,
  middleware: [signedIn] as const,
  request: {
    params: CampaignIdParam,
    query: z.object({ pickupPointId: z.string().min(1).max(200).optional().openapi({ description: 'only this pickup point' }) }),
  },
  responses: {
    200: jsonResponse(PickupListSchema, 'Entries by pickup point'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
  },
});

const PickupCodeSchema = z
  .object({
    entryId: z.string(),
    seq: z.number().int(),
    code: z.string().openapi({
      description: 'show it at the counter: read out, or as a QR code whose content is exactly this text (draw it in the mini-program)',
      example: '12-K7M3Q9XA',
    }),
    pickedUp: z.boolean(),
    pickedUpAt: z.string().nullable(),
  })
  .openapi('PickupCode');

const codeRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/entries/{entryId}/pickup-code',
  tags: ['Pickup 核销'],
  summary: 'The entry’s pickup code (提货码): its member, the leader and helpers; after a successful settlement, active entries only',
  description:
    'The code is `<number>-<8 characters>`: the characters are an HMAC of the campaign and the entry id, so it is specific to the entry and cannot be derived from a number. ' +
    'Nothing is stored; staff scan it with POST /campaigns/{id}/pickups/scan.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: EntryParams },
  responses: {
    200: jsonResponse(PickupCodeSchema, 'The code'),
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: { description: 'INVALID_STATE: not settled (or the group failed), or the entry is cancelled', content: errors[409].content },
  },
});

const codeImageRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/entries/{entryId}/pickup-code.png',
  tags: ['Pickup 核销'],
  summary: 'The pickup code as a QR code (PNG, 360 px): show it with <image> or wx.previewImage; staff scan it with wx.scanCode',
  description: 'The QR code holds exactly the text of GET …/pickup-code. Same rights and states.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: EntryParams },
  responses: {
    200: { description: 'the QR code', content: { 'image/png': { schema: z.string().openapi({ format: 'binary' }) } } },
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
  },
});

const PickupScanSchema = PickupMarkSchema.extend({
  repeated: z
    .boolean()
    .openapi({ description: 'true: it was ticked off before (pickedUpAt, pickedUpBy say when and by whom): do not hand it out twice' }),
  nickname: z.string(),
  pickupPointId: z.string().nullable(),
  note: z.string().nullable(),
  items: z.array(z.object({ itemId: z.string(), qty: z.number().int() })),
}).openapi('PickupScan');

const scanRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/pickups/scan',
  tags: ['Pickup 核销'],
  summary: 'Leader or helper scans (or types) a member’s pickup code: the entry is ticked off and what to hand over is answered',
  security: bearer,
  middleware: [signedIn] as const,
  request: {
    params: CampaignIdParam,
    body: {
      content: { 'application/json': { schema: z.object({ code: z.string().min(1).max(40).openapi({ example: '12-K7M3Q9XA' }) }) } },
      required: true,
    },
  },
  responses: {
    200: jsonResponse(PickupScanSchema, 'The entry, ticked off (or as it was, with repeated: true)'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: { description: 'NOT_FOUND: no entry of this campaign has this code', content: errors[404].content },
    409: errors[409],
  },
});

/** Goods are handed out (marks, codes, scans) after a successful settlement, never once the campaign is called off. */
function requireHandingOut(snapshot: CampaignSnapshot): void {
  if (snapshot.state.status === 'cancelled') {
    throw new InvalidStateError('The campaign was called off: nothing is handed out', { status: 'cancelled' });
  }
  if (snapshot.settlement?.status !== 'settled') {
    throw new InvalidStateError('Goods are handed out after the campaign is settled (and not failed)', {
      status: snapshot.settlement?.status ?? snapshot.state.status,
    });
  }
}

export function pickupRoutes(deps: AppDeps) {
  const { db } = deps;
  // Current and previous signing secrets: a code made before a rotation still verifies.
  const codeKeys = pickupKeys(verificationKeys(deps.tokens).map((k) => k.secret));
  /** leader or helper of a campaign settled with status `settled` (a failed group hands nothing out) */
  const staffOfSettled = async (id: string, user: TokenUser, action: string) => {
    const snapshot = await requireCampaign(db, id);
    await requireRole(db, snapshot, user, ['leader', 'helper'], action);
    requireHandingOut(snapshot);
    return snapshot;
  };
  /** The entry's pickup code, for its member and staff, once the campaign is settled (not failed, not called off). */
  const entryPickupCode = async (user: TokenUser, { id, entryId }: { id: string; entryId: string }) => {
    const snapshot = await requireCampaign(db, id);
    const entry = await requireEntry(db, id, entryId);
    await requireEntryOwnerOrStaffTo(db, snapshot.def, entry, user.id, 'see its pickup code');
    requireHandingOut(snapshot);
    if (entry.status !== 'active') throw new InvalidStateError('Only active entries are picked up', { status: entry.status });
    return { entry, code: entryCode(codeKeys, id, entry) };
  };
  return newRouter()
    .openapi(markRoute, async (c) => {
      const user = requireUser(c);
      const { id, entryId } = c.req.valid('param');
      const snapshot = await staffOfSettled(id, user, 'mark pickups');
      const { mark } = await pickUpEntry(db, snapshot.def, entryId, user.id);
      deps.logger.info('pickup marked', { requestId: c.get('requestId'), campaignId: id, entryId });
      return c.json(mark, 200);
    })
    .openapi(undoRoute, async (c) => {
      const user = requireUser(c);
      const { id, entryId } = c.req.valid('param');
      const snapshot = await staffOfSettled(id, user, 'undo pickups');
      const mark = await undoPickup(db, snapshot.def, entryId);
      deps.logger.info('pickup undone', { requestId: c.get('requestId'), campaignId: id, entryId });
      return c.json(mark, 200);
    })
    .openapi(codeRoute, async (c) => {
      const { entry, code } = await entryPickupCode(requireUser(c), c.req.valid('param'));
      const picked = entry as typeof entry & { pickedUpAt?: string };
      return c.json(
        { entryId: entry.id, seq: entry.seq, code, pickedUp: picked.pickedUpAt !== undefined, pickedUpAt: picked.pickedUpAt ?? null },
        200,
      );
    })
    .openapi(codeImageRoute, async (c) => {
      const { code } = await entryPickupCode(requireUser(c), c.req.valid('param'));
      // The QR encoder is loaded on the first code image, never by other requests.
      const { toBuffer } = await import('qrcode');
      const png = await toBuffer(code, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 360 });
      // The member's own code: their phone may keep it, no shared cache may.
      return c.body(new Uint8Array(png), 200, { 'Content-Type': 'image/png', 'Cache-Control': 'private, max-age=3600' });
    })
    .openapi(scanRoute, async (c) => {
      const user = requireUser(c);
      const { id } = c.req.valid('param');
      const snapshot = await staffOfSettled(id, user, 'scan pickup codes');
      const entry = await entryForPickupCode(db, codeKeys, id, c.req.valid('json').code);
      const { mark, repeated } = await pickUpEntry(db, snapshot.def, entry.id, user.id);
      deps.logger.info('pickup scanned', { requestId: c.get('requestId'), campaignId: id, entryId: entry.id, repeated });
      return c.json(
        {
          ...mark,
          repeated,
          nickname: entry.nickname,
          pickupPointId: entry.pickupPointId,
          note: entry.note,
          items: entry.items.map((l) => ({ itemId: l.itemId, qty: l.qty })),
        },
        200,
      );
    })
    .openapi(listRoute, async (c) => {
      const user = requireUser(c);
      const { id } = c.req.valid('param');
      const { pickupPointId } = c.req.valid('query');
      const snapshot = await staffOfSettled(id, user, 'see pickups');
      if (pickupPointId !== undefined && !snapshot.def.pickupPoints.some((p) => p.id === pickupPointId)) {
        throw new NotFoundError(`No pickup point ${pickupPointId} in campaign ${id}`);
      }
      const points = await listPickups(db, snapshot.def, pickupPointId, snapshot.settlement?.shortage);
      const pickedUp = points.reduce((n, p) => n + p.pickedUp, 0);
      const waiting = points.reduce((n, p) => n + p.waiting, 0);
      return c.json({ campaignId: id, pickedUp, waiting, pickupPoints: points }, 200);
    });
}
