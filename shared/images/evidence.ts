import { evidenceKey, IMAGE_VARIANTS, uploadKey } from '../domain/index.js';
import { UploadInvalidError } from '../errors.js';
import type { MediaStore } from '../storage/index.js';
import { inspectUploads } from './inspect.js';

/** How long a signed link to an evidence photo works: a staff member reviewing a request, not a bookmark. */
export const EVIDENCE_URL_TTL_SECONDS = 3600;
/** Private: only the holder of a signed link sees it, and no shared cache keeps it. */
const EVIDENCE_CACHE_CONTROL = 'private, max-age=3600';

/** One evidence photo as its readers get it: signed links to both sizes. */
export interface EvidencePhoto {
  id: string;
  list: string;
  detail: string;
  expiresAt: string;
}

/**
 * An after-sale request's photos, uploaded by the member with the same two-size forms as campaign
 * photos: checked by their bytes (400 UPLOAD_INVALID naming the upload), then copied server-side to
 * evidence/ before the request is written. A request refused afterwards (more than was paid) leaves
 * copies nothing names; the bucket's lifecycle removes evidence/ with its campaign's age.
 */
export async function keepEvidence(store: MediaStore, campaignId: string, uploadIds: readonly string[]): Promise<void> {
  const inspected = await Promise.all(
    uploadIds.map(async (uploadId) => {
      try {
        return await inspectUploads(store, campaignId, uploadId);
      } catch (err) {
        if (err instanceof UploadInvalidError) throw new UploadInvalidError(err.message, { ...err.details, uploadId });
        throw err;
      }
    }),
  );
  await Promise.all(
    uploadIds.flatMap((uploadId, i) =>
      IMAGE_VARIANTS.map((v) =>
        store.copy(uploadKey(campaignId, uploadId, v), evidenceKey(campaignId, uploadId, v), {
          contentType: inspected[i]!.type,
          cacheControl: EVIDENCE_CACHE_CONTROL,
        }),
      ),
    ),
  );
}

/** The uploads are copied: remove them now (best effort: the lifecycle rule removes them after a day anyway). */
export async function dropUploads(store: MediaStore, campaignId: string, uploadIds: readonly string[]): Promise<void> {
  await store.remove(uploadIds.flatMap((id) => IMAGE_VARIANTS.map((v) => uploadKey(campaignId, id, v)))).catch(() => undefined);
}

/** Signed links for a request's photos (signed locally: no request to storage). */
export async function evidenceLinks(store: MediaStore, campaignId: string, photoIds: readonly string[]): Promise<EvidencePhoto[]> {
  return Promise.all(
    photoIds.map(async (id) => {
      const [list, detail] = await Promise.all(
        IMAGE_VARIANTS.map((v) => store.presignGet(evidenceKey(campaignId, id, v), EVIDENCE_URL_TTL_SECONDS)),
      );
      return { id, list: list!.url, detail: detail!.url, expiresAt: list!.expiresAt };
    }),
  );
}
