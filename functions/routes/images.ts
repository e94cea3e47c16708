import { createRoute, z } from '@hono/zod-openapi';
import { requireCampaign, requireLeaderOrHelper } from '../../shared/campaigns/index.js';
import { campaignView, IMAGE_LIMITS, IMAGE_VARIANTS, type ImageViewing, imageKey, imageView } from '../../shared/domain/index.js';
import { NotFoundError } from '../../shared/errors.js';
import { attachImage, createUpload, detachImage, requireImages, setImageLayout, UPLOAD_ID } from '../../shared/images/index.js';
import type { AppDeps } from '../env.js';
import { imageUrlFor } from '../image-urls.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { CampaignSchema } from '../schemas/campaign.js';
import { bearer, CampaignIdParam, error, errors, jsonResponse } from '../schemas/common.js';
import { AttachBody, ImageIdParam, ImageSchema, LayoutBody, UploadBody, UploadGrantSchema } from '../schemas/image.js';
import { newRouter } from '../validation.js';

const notConfigured = error(
  'SERVICE_UNAVAILABLE: photos are not configured on this server (IMAGES_BUCKET), or WeChat’s image check could not be reached',
);

const uploadRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/images/uploads',
  tags: ['Photos'],
  summary: 'Upload forms for one photo: the mini-program posts its two sizes straight to object storage',
  description:
    `Two presigned POST forms (list ≤ ${IMAGE_LIMITS.list.maxWidth} px and ${IMAGE_LIMITS.list.maxBytes / 1024} KB, detail ≤ ${IMAGE_LIMITS.detail.maxWidth} px and ${IMAGE_LIMITS.detail.maxBytes / 1024 / 1024} MB), valid 10 minutes. ` +
    'Compress the photo twice with wx.compressImage (compressedWidth = maxWidth), then wx.uploadFile each to its form (`url`, `formData: fields`, name `file`). ' +
    'Storage itself refuses another type, an empty or bigger file, or another key (403 AccessDenied / 400 EntityTooLarge); the API never sees the bytes. ' +
    'Then POST /campaigns/{id}/images with the uploadId. An upload nobody attaches is deleted after a day. Leader and helpers.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam, body: { required: true, content: { 'application/json': { schema: UploadBody } } } },
  responses: {
    201: jsonResponse(UploadGrantSchema, 'The upload id and its two forms'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
    503: notConfigured,
  },
});

const attachRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/images',
  tags: ['Photos'],
  summary: 'Attach an uploaded photo as the cover or an item’s photo',
  description:
    'Both sizes are checked by their bytes (present, a real PNG or JPEG of the uploaded type, within the size and width limits: else 400 UPLOAD_INVALID with `details.variant` and `details.problem`), ' +
    'moved to where the CDN serves them, and sent to WeChat’s image check (mediaCheckAsync) where WeChat is configured. ' +
    'Until WeChat’s verdict arrives (消息推送, usually within minutes) and passes both sizes, only the leader and helpers see the photo, with its `status`. ' +
    'Attaching the same uploadId again answers the same photo (200). At most 9 photos an item. Leader and helpers.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam, body: { required: true, content: { 'application/json': { schema: AttachBody } } } },
  responses: {
    201: jsonResponse(ImageSchema, 'The photo (status pending until WeChat’s check, visible without WeChat)'),
    200: jsonResponse(ImageSchema, 'The photo this upload became earlier (a retry)'),
    400: error(
      'VALIDATION_FAILED: no such item, or the item has 9 photos. UPLOAD_INVALID: a size is missing (or expired), too big or wide, or not a PNG/JPEG',
    ),
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: error(
      'INVALID_STATE: the campaign was called off, or the caller has no WeChat login for the image check. CONFLICT: the campaign kept changing; retry',
    ),
    503: notConfigured,
  },
});

const layoutRoute = createRoute({
  method: 'put',
  path: '/campaigns/{id}/images',
  tags: ['Photos'],
  summary: 'Arrange the photos: the cover and each item’s photos in order',
  description: 'Every attached photo placed exactly once (the cover or one item); items left out show none. Leader and helpers.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam, body: { required: true, content: { 'application/json': { schema: LayoutBody } } } },
  responses: {
    200: jsonResponse(CampaignSchema, 'The campaign with its photos'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
    503: notConfigured,
  },
});

const detachRoute = createRoute({
  method: 'delete',
  path: '/campaigns/{id}/images/{imageId}',
  tags: ['Photos'],
  summary: 'Remove a photo from the campaign (and from storage)',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: ImageIdParam },
  responses: {
    204: { description: 'Removed' },
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
    503: notConfigured,
  },
});

const mediaRoute = createRoute({
  method: 'get',
  path: '/media/{campaignId}/{imageId}/{variant}',
  tags: ['Photos'],
  summary: 'A photo’s bytes, where no CDN is configured (local runs); deployed stacks serve the same paths from CloudFront',
  request: {
    params: z.object({
      campaignId: z.string().openapi({ param: { name: 'campaignId', in: 'path' } }),
      imageId: z.string().openapi({ param: { name: 'imageId', in: 'path' } }),
      variant: z.enum(IMAGE_VARIANTS).openapi({ param: { name: 'variant', in: 'path' } }),
    }),
  },
  responses: {
    200: {
      description: 'the image',
      content: {
        'image/png': { schema: z.string().openapi({ format: 'binary' }) },
        'image/jpeg': { schema: z.string().openapi({ format: 'binary' }) },
      },
    },
    404: errors[404],
  },
});

export function imageRoutes(deps: AppDeps) {
  const { db } = deps;
  const router = newRouter()
    .openapi(uploadRoute, async (c) => {
      const user = requireUser(c);
      const { id } = c.req.valid('param');
      const snapshot = await requireCampaign(db, id);
      await requireLeaderOrHelper(db, snapshot, user.id, 'upload photos');
      const images = requireImages(deps.images);
      return c.json(await createUpload(images.store, id, c.req.valid('json').contentType, db.clock.now()), 201);
    })
    .openapi(attachRoute, async (c) => {
      const user = requireUser(c);
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const snapshot = await requireCampaign(db, id);
      await requireLeaderOrHelper(db, snapshot, user.id, 'attach photos');
      const images = requireImages(deps.images);
      const url = imageUrlFor(deps, c.req.url);
      const { image, created } = await attachImage(
        { db, store: images.store, url, ...(images.wechat ? { wechat: images.wechat } : {}) },
        snapshot,
        { uploadId: body.uploadId, placement: body.cover ? { cover: true } : { itemId: body.itemId! }, actorId: user.id },
      );
      const viewing: ImageViewing = { url, staff: true };
      return c.json(imageView(id, image, viewing)!, created ? 201 : 200);
    })
    .openapi(layoutRoute, async (c) => {
      const user = requireUser(c);
      const { id } = c.req.valid('param');
      const before = await requireCampaign(db, id);
      await requireLeaderOrHelper(db, before, user.id, 'arrange photos');
      requireImages(deps.images);
      const body = c.req.valid('json');
      const after = await setImageLayout(db, id, { coverImageId: body.coverImageId, itemImages: body.itemImages });
      return c.json(campaignView(after.def, after.state, db.clock.now(), { url: imageUrlFor(deps, c.req.url), staff: true }), 200);
    })
    .openapi(detachRoute, async (c) => {
      const user = requireUser(c);
      const { id, imageId } = c.req.valid('param');
      const before = await requireCampaign(db, id);
      await requireLeaderOrHelper(db, before, user.id, 'remove photos');
      const images = requireImages(deps.images);
      await detachImage({ db, store: images.store }, id, imageId);
      return c.body(null, 204);
    });
  // The CDN's stand-in: only where there is no CDN, and only images/ (never an unattached upload).
  if (deps.images && !deps.images.baseUrl) {
    const store = deps.images.store;
    router.openapi(mediaRoute, async (c) => {
      const { campaignId, imageId, variant } = c.req.valid('param');
      // Our own id shapes only: a key is a path to the local server, so `..` must never reach it.
      if (!/^c_[0-9a-z]{25}$/.test(campaignId) || !UPLOAD_ID.test(imageId)) throw new NotFoundError('No such photo');
      const found = await store.stream(imageKey(campaignId, imageId, variant));
      if (!found) throw new NotFoundError('No such photo');
      return c.body(found.body, 200, {
        'Content-Type': found.contentType,
        'Content-Length': String(found.bytes),
        'Cache-Control': found.cacheControl ?? 'public, max-age=300',
        'X-Content-Type-Options': 'nosniff',
      });
    });
  }
  return router;
}
