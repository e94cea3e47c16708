import type { CampaignSnapshot } from '../campaigns/index.js';
import type { EntryLine } from '../domain/index.js';
import type { PickupEntryRecord } from '../entries/index.js';
import { ServiceUnavailableError } from '../errors.js';
import { dropUploads, keepEvidence } from '../images/index.js';
import { type AfterSaleRecord, createAfterSale } from '../money/index.js';
import type { MediaStore } from '../storage/index.js';
import type { UseCaseContext } from './context.js';

/**
 * POST …/after-sale (the entry's member; checked before, in access.ts): the photos the member
 * uploaded become the request's evidence (checked, copied to evidence/) before the request is
 * written, so a written request never names a photo that is not there; then the uploads go.
 */
export async function fileAfterSale(
  ctx: UseCaseContext & { readonly images?: { readonly store: MediaStore } | undefined },
  snapshot: CampaignSnapshot,
  entry: PickupEntryRecord,
  input: { items: EntryLine[]; reason: string; photos: string[] },
): Promise<AfterSaleRecord> {
  const campaignId = snapshot.def.id;
  if (input.photos.length > 0) {
    if (!ctx.images) throw new ServiceUnavailableError('Photos are not configured on this server (set IMAGES_BUCKET)');
    await keepEvidence(ctx.images.store, campaignId, input.photos);
  }
  const request = await createAfterSale(ctx.db, snapshot, entry, input);
  if (ctx.images && input.photos.length > 0) await dropUploads(ctx.images.store, campaignId, input.photos);
  return request;
}
