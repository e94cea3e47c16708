import { createRoute, z } from '@hono/zod-openapi';
import {
  afterSaleListScope,
  requireAfterSaleDecider,
  requireAfterSaleRequester,
  requireCampaign,
  requireVisibleCampaign,
} from '../../shared/campaigns/index.js';
import { IMAGE_LIMITS } from '../../shared/domain/index.js';
import { requireEntry } from '../../shared/entries/index.js';
import { createUpload, evidenceLinks, requireImages } from '../../shared/images/index.js';
import { type AfterSaleRecord, decideAfterSale, listAfterSales, requireAfterSale } from '../../shared/money/index.js';
import { fileAfterSale } from '../../shared/use-cases/index.js';
import type { AppDeps } from '../env.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { AfterSaleBody, AfterSaleDecisionBody, AfterSaleListSchema, AfterSaleSchema } from '../schemas/after-sale.js';
import { bearer, CampaignIdParam, error, errors, jsonResponse } from '../schemas/common.js';
import { EntryParams } from '../schemas/entry.js';
import { UploadBody, UploadGrantSchema } from '../schemas/image.js';
import { newRouter } from '../validation.js';

const RequestParams = CampaignIdParam.extend({
  requestId: z
    .string()
    .min(1)
    .openapi({ param: { name: 'requestId', in: 'path' } }),
});

const photosOff = error('SERVICE_UNAVAILABLE: photos are not configured on this server (IMAGES_BUCKET)');

const uploadRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/entries/{entryId}/after-sale/uploads',
  tags: ['Payments'],
  summary: 'Upload forms for one after-sale photo (the entry’s member): the same two sizes as campaign photos, straight to storage',
  description:
    `Two presigned POST forms (list ≤ ${IMAGE_LIMITS.list.maxWidth} px, detail ≤ ${IMAGE_LIMITS.detail.maxWidth} px), valid 10 minutes; upload both with wx.uploadFile, then name the uploadId in the request’s \`photos\`. ` +
    'The photos stay private: the member and the campaign’s staff see them through signed links.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: EntryParams, body: { required: true, content: { 'application/json': { schema: UploadBody } } } },
  responses: {
    201: jsonResponse(UploadGrantSchema, 'The upload id and its two forms'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
    503: photosOff,
  },
});

const askRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/entries/{entryId}/after-sale',
  tags: ['Payments'],
  summary: 'The entry’s member asks for an after-sale (售后) refund of some units, after picking the goods up',
  description:
    'The amount is Σ qty × the settled unit price, less the points’ share of those goods (rounded up) when points paid part of the entry. More units than the entry got, or more money than it paid and was not given back, is 400 VALIDATION_FAILED; before the pickup, or for a failed or called-off campaign, 409 INVALID_STATE. ' +
    'Photos (uploadIds from POST …/after-sale/uploads) are checked by their bytes: 400 UPLOAD_INVALID with `details.uploadId`.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: EntryParams, body: { content: { 'application/json': { schema: AfterSaleBody } }, required: true } },
  responses: {
    201: jsonResponse(AfterSaleSchema, 'The request, pending'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
    503: photosOff,
  },
});

const listRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/after-sales',
  tags: ['Payments'],
  summary: 'After-sale requests: every one for the leader and helpers, the caller’s own for anyone else',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam },
  responses: { 200: jsonResponse(AfterSaleListSchema, 'Oldest first'), 401: errors[401], 404: errors[404] },
});

const decideRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/after-sales/{requestId}/decision',
  tags: ['Payments'],
  summary: 'The leader or a helper approves (all or part of the amount) or rejects an after-sale request, once',
  description:
    'Approving records an after_sale_approved ledger event (the entry then costs that much less) and, for a wechatpay campaign, refunds it (follow it in GET /campaigns/{id}/refunds; the sweep retries). ' +
    'An offline campaign’s payments view shows it owed back. An amount above the one asked is 400; a second decision is 409 INVALID_STATE.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: RequestParams, body: { content: { 'application/json': { schema: AfterSaleDecisionBody } }, required: true } },
  responses: {
    200: jsonResponse(AfterSaleSchema, 'The decided request'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
  },
});

export function afterSaleRoutes(deps: AppDeps) {
  const { db } = deps;
  /** A request as its readers get it: with signed links to its photos where photos are configured. */
  const view = async (r: AfterSaleRecord) =>
    deps.images && r.photos.length > 0 ? { ...r, photoLinks: await evidenceLinks(deps.images.store, r.campaignId, r.photos) } : r;
  return newRouter()
    .openapi(uploadRoute, async (c) => {
      const user = requireUser(c);
      const { id, entryId } = c.req.valid('param');
      const snapshot = await requireCampaign(db, id);
      await requireVisibleCampaign(db, snapshot, user.id);
      requireAfterSaleRequester(await requireEntry(db, id, entryId), user.id);
      return c.json(await createUpload(requireImages(deps.images).store, id, c.req.valid('json').contentType, db.clock.now()), 201);
    })
    .openapi(askRoute, async (c) => {
      const user = requireUser(c);
      const { id, entryId } = c.req.valid('param');
      const snapshot = await requireCampaign(db, id);
      await requireVisibleCampaign(db, snapshot, user.id);
      const entry = await requireEntry(db, id, entryId);
      requireAfterSaleRequester(entry, user.id);
      const body = c.req.valid('json');
      const request = await fileAfterSale(deps, snapshot, entry, { items: body.items, reason: body.reason, photos: body.photos ?? [] });
      return c.json(await view(request), 201);
    })
    .openapi(listRoute, async (c) => {
      const user = requireUser(c);
      const snapshot = await requireCampaign(db, c.req.valid('param').id);
      const scope = await afterSaleListScope(db, snapshot, user.id);
      const all = await listAfterSales(db, snapshot.def.id);
      const shown = scope === 'all' ? all : all.filter((r) => r.userId === user.id);
      return c.json({ afterSales: await Promise.all(shown.map(view)) }, 200);
    })
    .openapi(decideRoute, async (c) => {
      const user = requireUser(c);
      const { id, requestId } = c.req.valid('param');
      const snapshot = await requireCampaign(db, id);
      await requireAfterSaleDecider(db, snapshot, user);
      const decided = await decideAfterSale(db, snapshot, requestId, c.req.valid('json'), user.id);
      // Approved and prepaid: its refund now (the approval put it on the sweep's timeline in case this fails).
      if (decided.refundDue) await deps.money.refundAfterSale(snapshot, decided);
      deps.logger.info('after-sale decided', { requestId: c.get('requestId'), campaignId: id, state: decided.state });
      return c.json(await view(decided.refundDue ? await requireAfterSale(db, id, requestId) : decided), 200);
    });
}
