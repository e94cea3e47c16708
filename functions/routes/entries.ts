import { createRoute, type RouteHandler, z } from '@hono/zod-openapi';
import { listViewer, ownerOrLeaderViewer, requireCampaign, requireVisibleCampaign } from '../../shared/campaigns/index.js';
import { effectiveEntry, entryView } from '../../shared/domain/index.js';
import { heldEntriesOf, listEntries } from '../../shared/entries/index.js';
import { getTitles } from '../../shared/points/index.js';
import { toEntry } from '../../shared/table/index.js';
import { cancelEntryWithRefund, changeEntryWithMoney, joinCampaign } from '../../shared/use-cases/index.js';
import type { AppDeps, AppEnv } from '../env.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { putTwin } from '../middleware/method-override.js';
import { conditionalJson } from '../read-caching.js';
import { bearer, CampaignIdParam, errors, jsonResponse, pageQuery } from '../schemas/common.js';
import { EntryPage, EntryParams, JoinBody, MyCampaignEntries, PatchEntryBody } from '../schemas/entry.js';
import { EntryWithPayment } from '../schemas/payment.js';
import { notModified, readHeaders } from '../schemas/read-caching.js';
import { newRouter } from '../validation.js';

const joinRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/entries',
  tags: ['接龙 entries'],
  summary: 'Join the 接龙 list',
  description:
    'Takes the next 接龙 number (seq) and reserves stock atomically. One active entry per user: a second join is 409 ALREADY_JOINED (change it with PATCH). ' +
    'A campaign with `maxEntriesPerUser` N > 1 (household entries) accepts up to N active entries per user, each its own number; the next is ALREADY_JOINED (`details.limit` = N). ' +
    'Send an `Idempotency-Key` (any string up to 255 characters, e.g. a UUID made when the member taps "join") so that a retry after a timeout returns the same entry ' +
    'instead of failing; the key is scoped to the user and campaign, and reusing it with a different body is 422.',
  security: bearer,
  middleware: [signedIn] as const,
  request: {
    params: CampaignIdParam,
    headers: z.object({
      'idempotency-key': z
        .string()
        .min(1)
        .max(255)
        .optional()
        .openapi({ description: 'Idempotency-Key: retry-safe joins (same key + same body → the first response)' }),
    }),
    body: { required: true, content: { 'application/json': { schema: JoinBody } } },
  },
  responses: {
    201: {
      ...jsonResponse(
        EntryWithPayment,
        'The new entry (or, for a retried Idempotency-Key, the first one; header Idempotent-Replayed: true). In a wechatpay campaign it is pending_payment and `payment` holds what wx.requestPayment needs',
      ),
    },
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
    415: errors[415],
    422: errors[422],
    413: errors[413],
    429: errors[429],
    503: errors[503],
  },
});

/**
 * Page sizes of the list. Anyone may read it without a token, so a public page is capped and read
 * eventually consistent (≈13 read units for 100 lines of ~1 KB instead of ≈250 for 1,000 strongly
 * consistent ones); the member's own line came back with their join. Staff keep large, consistent
 * pages (they check the list against payments and pickups).
 */
const PUBLIC_PAGE_MAX = 100;
const STAFF_PAGE_MAX = 1000;

const listRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/entries',
  tags: ['接龙 entries'],
  summary: 'The 接龙 list in seq order (cancelled lines included, marked cancelled)',
  description:
    'No token needed. The public sees masked nicknames ("王*") and never phones or user ids; the leader and the campaign\'s helpers, with a token, see them in full.',
  request: {
    params: CampaignIdParam,
    query: pageQuery(
      STAFF_PAGE_MAX,
      `page size, default 50. The leader and helpers get up to ${STAFF_PAGE_MAX} lines a page; anyone else (no token, or a member) ` +
        `up to ${PUBLIC_PAGE_MAX}: a larger limit is not refused, it gives ${PUBLIC_PAGE_MAX}`,
    ),
  },
  responses: {
    200: { ...jsonResponse(EntryPage, 'A page of entries'), headers: readHeaders },
    304: notModified,
    400: errors[400],
    401: errors[401],
    404: errors[404],
  },
});

const mineRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/entries/mine',
  tags: ['接龙 entries'],
  summary: 'My entries in this campaign that hold stock, and how many more I may make',
  description:
    'One at most, unless the campaign allows household entries (`maxEntriesPerUser` > 1): then each entry is its own line and number. ' +
    'Read from my claim in the campaign: one read, and one or two more per entry.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam },
  responses: { 200: jsonResponse(MyCampaignEntries, 'My entries here'), 401: errors[401], 404: errors[404] },
});

const patchRoute = createRoute({
  method: 'patch',
  path: '/campaigns/{id}/entries/{entryId}',
  tags: ['接龙 entries'],
  summary: "Change my entry's items, note, pickup point or phone while the campaign is open",
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: EntryParams, body: { required: true, content: { 'application/json': { schema: PatchEntryBody } } } },
  responses: {
    200: jsonResponse(
      EntryWithPayment,
      'The changed entry; in a wechatpay campaign, a raised quantity comes with a top-up `payment`, a lowered one is refunded the difference',
    ),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
    415: errors[415],
    422: errors[422],
    503: errors[503],
  },
});

const cancelRoute = createRoute({
  method: 'delete',
  path: '/campaigns/{id}/entries/{entryId}',
  tags: ['接龙 entries'],
  summary:
    'Cancel an entry (its owner or the leader) while open; it keeps its number, shown as cancelled. A prepaid entry is refunded in full',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: EntryParams },
  responses: {
    200: jsonResponse(EntryWithPayment, 'The cancelled entry (prepaid: `paymentError` when the refund could not be started now)'),
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
    503: errors[503],
  },
});

export function entryRoutes(deps: AppDeps) {
  const { db } = deps;

  const changeEntry: RouteHandler<typeof patchRoute, AppEnv> = async (c) => {
    const user = requireUser(c);
    const { id, entryId } = c.req.valid('param');
    const snapshot = await requireCampaign(db, id);
    const { entry, payment } = await changeEntryWithMoney(deps, snapshot, entryId, user.id, c.req.valid('json'));
    return c.json({ ...entryView(entry, { kind: 'user', userId: user.id }), ...payment }, 200);
  };

  return newRouter()
    .openapi(joinRoute, async (c) => {
      const user = requireUser(c);
      const body = c.req.valid('json');
      const result = await joinCampaign(deps, {
        campaignId: c.req.valid('param').id,
        user,
        items: body.items,
        note: body.note ?? null,
        pickupPointId: body.pickupPointId ?? null,
        phone: body.phone ?? null,
        ref: body.ref ?? null,
        idempotencyKey: c.req.valid('header')['idempotency-key'],
      });
      if (result.replayed) c.header('Idempotent-Replayed', 'true');
      return c.json({ ...entryView(result.entry, { kind: 'user', userId: user.id }), ...result.payment }, 201);
    })
    .openapi(listRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { limit, cursor } = c.req.valid('query');
      const snapshot = await requireCampaign(db, id);
      const user = c.get('user');
      // A signed-in member who is not the leader costs one GetItem: are they a helper?
      await requireVisibleCampaign(db, snapshot, user?.id);
      const viewer = await listViewer(db, snapshot.def, user?.id);
      const staff = viewer.kind === 'leader' || viewer.kind === 'helper';
      const communityId = snapshot.def.communityId;
      // A community campaign's list shows members' titles (荣誉称号): ONE read of the community's titles map, beside the page.
      const [page, titles] = await Promise.all([
        listEntries(db, id, staff ? limit : Math.min(limit, PUBLIC_PAGE_MAX), cursor, { consistent: staff }),
        communityId ? getTitles(db, communityId) : Promise.resolve({} as Record<string, string>),
      ]);
      // A called-off campaign's entries read as cancelled (lifecycle.ts effectiveEntry).
      const entries = page.items.map((r) =>
        entryView(effectiveEntry(toEntry(r), snapshot.state), viewer, Object.hasOwn(titles, r.userId) ? titles[r.userId] : null),
      );
      const body = { entries, nextCursor: page.nextCursor } satisfies z.input<typeof EntryPage>;
      return conditionalJson(c, body, { draft: snapshot.state.status === 'draft' });
    })
    .openapi(mineRoute, async (c) => {
      const user = requireUser(c);
      const { id } = c.req.valid('param');
      const snapshot = await requireCampaign(db, id);
      await requireVisibleCampaign(db, snapshot, user.id);
      const held = (await heldEntriesOf(db, id, user.id)).sort((a, b) => a.seq - b.seq);
      const entries = held.map((r) => entryView(effectiveEntry(toEntry(r), snapshot.state), { kind: 'user', userId: user.id }));
      const { maxEntriesPerUser } = snapshot.def;
      return c.json({ entries, maxEntriesPerUser, entriesLeft: Math.max(0, maxEntriesPerUser - held.length) }, 200);
    })
    .openapi(patchRoute, changeEntry)
    .openapi(putTwin(patchRoute), changeEntry)
    .openapi(cancelRoute, async (c) => {
      const user = requireUser(c);
      const { id, entryId } = c.req.valid('param');
      const snapshot = await requireCampaign(db, id);
      const { entry, payment } = await cancelEntryWithRefund(deps, snapshot, entryId, user.id);
      return c.json({ ...entryView(entry, ownerOrLeaderViewer(snapshot.def, user.id)), ...payment }, 200);
    });
}
