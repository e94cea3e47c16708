import { z } from '@hono/zod-openapi';
import { IMAGE_LIMITS, IMAGE_TYPES } from '../../shared/domain/index.js';
import { UPLOAD_ID } from '../../shared/images/index.js';
import { IsoTime } from './common.js';

export const ImageSchema = z
  .object({
    id: z.string(),
    list: z.string().openapi({ description: `URL of the list size (≤ ${IMAGE_LIMITS.list.maxWidth} px wide): thumbnails, the 九宫格` }),
    detail: z
      .string()
      .openapi({ description: `URL of the detail size (≤ ${IMAGE_LIMITS.detail.maxWidth} px wide): the detail page, wx.previewImage` }),
    width: z.number().int().openapi({ description: 'the detail size in pixels' }),
    height: z.number().int(),
    status: z.enum(['visible', 'pending', 'review', 'rejected', 'failed']).optional().openapi({
      description:
        'staff only: `visible` once WeChat’s image check passed both sizes (or WeChat is not configured), `pending` until its verdict arrives, `review`/`rejected` as WeChat judged, `failed` when WeChat could not download it. Others see visible photos only, without this field',
    }),
  })
  .openapi('Image');

const UploadForm = z
  .object({
    url: z.string().openapi({ description: 'POST here (wx.uploadFile url)' }),
    fields: z
      .record(z.string(), z.string())
      .openapi({ description: 'send as form fields (wx.uploadFile formData), the file last as `file`' }),
    expiresAt: IsoTime,
    maxBytes: z.number().int().openapi({ description: 'S3 refuses a bigger file (400 EntityTooLarge)' }),
    maxWidth: z.number().int().openapi({ description: 'compress to at most this width first (wx.compressImage compressedWidth)' }),
  })
  .openapi('UploadForm');

export const UploadGrantSchema = z
  .object({
    uploadId: z.string().openapi({ description: 'attach with POST /campaigns/{id}/images once both sizes are uploaded' }),
    contentType: z.enum(IMAGE_TYPES),
    expiresAt: IsoTime,
    forms: z.object({ list: UploadForm, detail: UploadForm }),
  })
  .openapi('UploadGrant');

export const UploadBody = z
  .object({ contentType: z.enum(IMAGE_TYPES).openapi({ description: 'the type both sizes are uploaded as (S3 refuses another)' }) })
  .openapi('UploadRequest');

export const AttachBody = z
  .object({
    uploadId: z.string().regex(UPLOAD_ID, 'an uploadId from POST …/images/uploads'),
    cover: z.literal(true).optional().openapi({ description: 'the campaign’s cover (replaces the one shown; the old one stays attached)' }),
    itemId: z.string().min(1).max(16).optional().openapi({ description: 'an item’s photos, after the ones it has (at most 9)' }),
  })
  .refine((b) => (b.cover === true) !== (b.itemId !== undefined), { message: 'give exactly one of cover or itemId', path: ['itemId'] })
  .openapi('AttachImage');

export const LayoutBody = z
  .object({
    coverImageId: z.string().min(1).max(64).nullable(),
    itemImages: z
      .record(z.string().min(1).max(16), z.array(z.string().min(1).max(64)).max(9))
      .openapi({ description: 'item id → photo ids in order; every attached photo placed once (cover or one item)' }),
  })
  .openapi('ImageLayout');

export const ImageIdParam = z.object({
  id: z.string().openapi({ param: { name: 'id', in: 'path' } }),
  imageId: z.string().openapi({ param: { name: 'imageId', in: 'path' } }),
});
