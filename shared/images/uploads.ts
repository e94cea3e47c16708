import { IMAGE_LIMITS, IMAGE_VARIANTS, type ImageType, type ImageVariant, UPLOAD_TTL_SECONDS, uploadKey } from '../domain/index.js';
import { ServiceUnavailableError } from '../errors.js';
import { newId } from '../ids.js';
import type { MediaStore, PresignedPost } from '../storage/index.js';

/** One size's form: POST `url` with `fields` and the file last as `file` (wx.uploadFile's formData + name 'file'). */
export interface UploadForm extends PresignedPost {
  maxBytes: number;
  /** compress to at most this width first (wx.compressImage compressedWidth) */
  maxWidth: number;
}

export interface UploadGrant {
  uploadId: string;
  contentType: ImageType;
  expiresAt: string;
  forms: Record<ImageVariant, UploadForm>;
}

/** The server's photo settings, or 503 where photos are off (no IMAGES_BUCKET): every photo route and use case asks here. */
export function requireImages<T>(images: T | undefined): T {
  if (!images) throw new ServiceUnavailableError('Photos are not configured on this server (set IMAGES_BUCKET)');
  return images;
}

/** Upload ids name object keys and become photo ids: our own format only, so a body cannot point at another key. */
export const UPLOAD_ID = /^u_[0-9a-z]{25}$/;

/**
 * Two upload forms (list and detail size) for one photo of a campaign. S3 enforces the policy
 * itself: exactly this key, this Content-Type, 1 byte up to the size's limit, until it expires;
 * the API never sees the bytes. Nothing is written: an upload nobody attaches expires (lifecycle).
 */
export async function createUpload(store: MediaStore, campaignId: string, contentType: ImageType, now: Date): Promise<UploadGrant> {
  const uploadId = newId('u', now);
  const entries = await Promise.all(
    IMAGE_VARIANTS.map(async (variant) => {
      const limits = IMAGE_LIMITS[variant];
      const post = await store.presignPost(uploadKey(campaignId, uploadId, variant), {
        contentType,
        maxBytes: limits.maxBytes,
        ttlSeconds: UPLOAD_TTL_SECONDS,
      });
      return [variant, { ...post, maxBytes: limits.maxBytes, maxWidth: limits.maxWidth }] as const;
    }),
  );
  const forms = Object.fromEntries(entries) as Record<ImageVariant, UploadForm>;
  return { uploadId, contentType, expiresAt: forms.list.expiresAt, forms };
}
