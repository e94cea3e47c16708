import { createRoute, z } from '@hono/zod-openapi';
import { campaignForJoin, freshCampaign } from '../../shared/db/campaign-cache.js';
import { requireCampaign, type CampaignSnapshot } from '../../shared/db/campaigns.js';
import { cancelEntry, changeEntry, join, listEntries, type EntryChange } from '../../shared/db/entries.js';
import { campaignRole, requireVisibleCampaign } from '../../shared/db/helpers.js';
import { consumeRate } from '../../shared/db/rate-limit.js';
import { toEntry } from '../../shared/db/records.js';
import { entryView, type Viewer } from '../../shared/domain/views.js';
import { bearer, CampaignIdParam, errors, jsonResponse, pageQuery } from '../../shared/schemas/common.js';
import { EntryPage, EntryParams, EntrySchema, JoinBody, PatchEntryBody } from '../../shared/schemas/entry.js';
import { getOpenid } from '../../shared/db/users.js';
import { baseAmount } from '../../shared/domain/payments.js';
import type { CampaignDefinition, Entry } from '../../shared/domain/types.js';
import { AppError, InvalidStateError, ServiceUnavailableError } from '../../shared/errors.js';
import type { PaymentsContext } from '../../shared/payments/context.js';
import { holdEnd, joinPayment, netPaid, refundExcess, topUpFor } from '../../shared/payments/entry-money.js';
import { requireEntry } from '../../shared/db/entry-lookup.js';
import { checkEntryLines, quantityDelta } from '../../shared/domain/entry-rules.js';
import { ForbiddenError, SoldOutError } from '../../shared/errors.js';
import { toEntry as recordToEntry } from '../../shared/db/records.js';
import type { PrepayView } from '../../shared/payments/prepay.js';
import { EntryWithPayment } from '../../shared/schemas/payment.js';
import { paymentsContext, type AppDeps } from '../env.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { newRouter } from '../validation.js';

/**
 * The entry is written whatever WeChat Pay does next: when it cannot create the order right now,
 * the answer still carries the entry, with `payment: null` and why; the mini-program asks again
 * with POST …/payment/prepay (the same order) while the hold lasts.
 */
async function withPayment(make: () => Promise<PrepayView | null>): Promise<{ payment: PrepayView | null; paymentError?: { code: string; message: string } }> {
  try {
    return { payment: await make() };
  } catch (err) {
    if (err instanceof AppError && err.status >= 500) return { payment: null, paymentError: { code: err.code, message: err.message } };
    throw err;
  }
}

const joinRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/entries',
  tags: ['接龙 entries'],
  summary: 'Join the 接龙 list',
  description:
    'Takes the next 接龙 number (seq) and reserves stock atomically. One active entry per user: a second join is 409 ALREADY_JOINED (change it with PATCH). ' +
    'Send an `Idempotency-Key` (any string up to 255 characters, e.g. a UUID made when the member taps "join") so that a retry after a timeout returns the same entry ' +
    'instead of failing; the key is scoped to the user and campaign, and reusing it with a different body is 422.',
  security: bearer,
  middleware: [signedIn] as const,
  request: {
    params: CampaignIdParam,
    headers: z.object({ 'idempotency-key': z.string().min(1).max(255).optional().openapi({ description: 'Idempotency-Key: retry-safe joins (same key + same body → the first response)' }) }),
    body: { required: true, content: { 'application/json': { schema: JoinBody } } },
  },
  responses: {
    201: { ...jsonResponse(EntryWithPayment, 'The new entry (or, for a retried Idempotency-Key, the first one; header Idempotent-Replayed: true). In a wechatpay campaign it is pending_payment and `payment` holds what wx.requestPayment needs') },
    400: errors[400], 401: errors[401], 404: errors[404], 409: errors[409], 415: errors[415], 422: errors[422],
    413: errors[413], 429: errors[429], 503: errors[503],
  },
});

const listRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/entries',
  tags: ['接龙 entries'],
  summary: 'The 接龙 list in seq order (cancelled lines included, marked cancelled)',
  description: 'No token needed. The public sees masked nicknames ("王*") and never phones or user ids; the leader and the campaign\'s helpers, with a token, see them in full.',
  request: { params: CampaignIdParam, query: pageQuery(1000) },
  responses: { 200: jsonResponse(EntryPage, 'A page of entries'), 400: errors[400], 401: errors[401], 404: errors[404] },
});

const patchRoute = createRoute({
  method: 'patch',
  path: '/campaigns/{id}/entries/{entryId}',
  tags: ['接龙 entries'],
  summary: "Change my entry's items, note, pickup point or phone while the campaign is open",
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: EntryParams, body: { required: true, content: { 'application/json': { schema: PatchEntryBody } } } },
  responses: { 200: jsonResponse(EntryWithPayment, 'The changed entry; in a wechatpay campaign, a raised quantity comes with a top-up `payment`, a lowered one is refunded the difference'), 400: errors[400], 401: errors[401], 403: errors[403], 404: errors[404], 409: errors[409], 415: errors[415], 503: errors[503] },
});

const cancelRoute = createRoute({
  method: 'delete',
  path: '/campaigns/{id}/entries/{entryId}',
  tags: ['接龙 entries'],
  summary: 'Cancel an entry (its owner or the leader) while open; it keeps its number, shown as cancelled. A prepaid entry is refunded in full',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: EntryParams },
  responses: { 200: jsonResponse(EntrySchema, 'The cancelled entry'), 401: errors[401], 403: errors[403], 404: errors[404], 409: errors[409], 503: errors[503] },
});

export function entryRoutes(deps: AppDeps) {
  const { db } = deps;
  const payCtx = paymentsContext(deps);

  /** Prepaid campaigns: who pays (the member's openid), checked before a number is taken. Null: nothing to pay. */
  async function paymentsForJoin(def: CampaignDefinition, items: Entry['items'], userId: string): Promise<{ ctx: PaymentsContext; openid: string } | null> {
    if (def.paymentMode !== 'wechatpay' || baseAmount(def, items) === 0) return null;
    if (!payCtx) throw new ServiceUnavailableError('WeChat Pay is not configured on this server; prepaid campaigns cannot be joined');
    const openid = await getOpenid(db, userId);
    if (!openid) throw new InvalidStateError('Paying with WeChat Pay needs a WeChat login: sign in with POST /auth/wechat first', { reason: 'no_openid' });
    return { ctx: payCtx, openid };
  }

  /** After a prepaid entry was lowered or cancelled: the excess goes back (see refundExcess). */
  async function refundIfPrepaid(def: CampaignDefinition, entry: Entry): Promise<void> {
    if (def.paymentMode === 'wechatpay' && payCtx) await refundExcess(payCtx, def, entry);
  }

  /**
   * A prepaid member asks for lines that cost more than they paid: those wait for a top-up payment
   * (the change applies when it is paid); the other fields change now. Null when this is not such
   * a change (offline campaign, lower or equal cost, entry not active).
   */
  async function raiseWithTopUp(snapshot: CampaignSnapshot, entryId: string, userId: string, body: EntryChange) {
    const { def } = snapshot;
    if (def.paymentMode !== 'wechatpay' || !payCtx || !body.items) return null;
    const current = await requireEntry(db, def.id, entryId);
    if (current.userId !== userId) throw new ForbiddenError('Only the entry owner can change it');
    if (current.status !== 'active') return null;
    checkEntryLines(def, body.items);
    if (baseAmount(def, body.items) <= (await netPaid(payCtx, def.id, entryId))) return null;
    // Early word on stock (it is checked again, atomically, when the top-up is paid).
    for (const [itemId, units] of quantityDelta(current.items, body.items)) {
      const remaining = snapshot.stateRecord.remaining?.[itemId];
      if (units > 0 && remaining !== undefined && remaining < units) throw new SoldOutError(itemId, remaining, units);
    }
    const { items, ...rest } = body;
    const entry = Object.values(rest).some((v) => v !== undefined) ? await changeEntry(db, snapshot, entryId, userId, rest) : recordToEntry(current);
    const money = await withPayment(async () => topUpFor(payCtx, def, entry, items, await getOpenid(db, userId)));
    return { entry, money: { ...money, pendingItems: items } };
  }

  return newRouter()
    .openapi(joinRoute, async (c) => {
      const user = requireUser(c);
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const key = c.req.valid('header')['idempotency-key'];
      // One extra write per join, before any other work: per-user limit across all instances.
      await consumeRate(db, deps.rateLimits, 'join', user.id);
      let { snapshot, cached } = await campaignForJoin(db, id);
      // Drafts are invisible to members: 404, as if the id named nothing. The cache may not say so
      // on its own word (the draft may just have been published): read fresh first.
      if (snapshot.state.status === 'draft') {
        if (cached) ({ snapshot, cached } = { snapshot: await freshCampaign(db, id), cached: false });
        if (snapshot.state.status === 'draft') await requireVisibleCampaign(db, snapshot, user.id);
      }
      const payments = await paymentsForJoin(snapshot.def, body.items, user.id);
      const result = await join(db, snapshot, {
        userId: user.id,
        nickname: user.nickname,
        items: body.items,
        note: body.note ?? null,
        pickupPointId: body.pickupPointId ?? null,
        phone: body.phone ?? null,
        ...(key !== undefined ? { idempotencyKey: key } : {}),
        ...(payments ? { holdUntil: holdEnd(snapshot.def, db.clock.now()).toISOString() } : {}),
      }, cached ? () => freshCampaign(db, id) : undefined);
      if (result.replayed) c.header('Idempotent-Replayed', 'true');
      // A retried join (same Idempotency-Key) gets the same order again: its number is derived from the entry.
      const money = payments && result.entry.status === 'pending_payment'
        ? await withPayment(() => joinPayment(payments.ctx, snapshot.def, result.entry, payments.openid))
        : {};
      return c.json({ ...entryView(result.entry, { kind: 'user', userId: user.id }), ...money }, 201);
    })
    .openapi(listRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { limit, cursor } = c.req.valid('query');
      const snapshot = await requireCampaign(db, id);
      const user = c.get('user');
      // A signed-in member who is not the leader costs one GetItem: are they a helper?
      await requireVisibleCampaign(db, snapshot, user?.id);
      const role = await campaignRole(db, snapshot.def, user?.id);
      const viewer: Viewer = !user ? { kind: 'public' } : role === 'leader' || role === 'helper' ? { kind: role, userId: user.id } : { kind: 'user', userId: user.id };
      const page = await listEntries(db, id, limit, cursor);
      return c.json({ entries: page.items.map((r) => entryView(toEntry(r), viewer)), nextCursor: page.nextCursor }, 200);
    })
    .openapi(patchRoute, async (c) => {
      const user = requireUser(c);
      const { id, entryId } = c.req.valid('param');
      const snapshot = await requireCampaign(db, id);
      const body = c.req.valid('json');
      const raised = await raiseWithTopUp(snapshot, entryId, user.id, body);
      if (raised) return c.json({ ...entryView(raised.entry, { kind: 'user', userId: user.id }), ...raised.money }, 200);
      const entry = await changeEntry(db, snapshot, entryId, user.id, body);
      await refundIfPrepaid(snapshot.def, entry);
      return c.json(entryView(entry, { kind: 'user', userId: user.id }), 200);
    })
    .openapi(cancelRoute, async (c) => {
      const user = requireUser(c);
      const { id, entryId } = c.req.valid('param');
      const snapshot = await requireCampaign(db, id);
      const entry = await cancelEntry(db, snapshot, entryId, user.id);
      await refundIfPrepaid(snapshot.def, entry);
      const viewer: Viewer = user.id === snapshot.def.leaderId ? { kind: 'leader', userId: user.id } : { kind: 'user', userId: user.id };
      return c.json(entryView(entry, viewer), 200);
    });
}
