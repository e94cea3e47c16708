import type { CampaignSnapshot } from '../campaigns/index.js';
import type { EntryLine } from '../domain/index.js';
import type { PickupEntryRecord } from '../entries/index.js';
import { dropUploads, keepEvidence, requireImages } from '../images/index.js';
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
  if (input.photos.length === 0) return createAfterSale(ctx.db, snapshot, entry, input);
  const { store } = requireImages(ctx.images);
  await keepEvidence(store, campaignId, input.photos);
  const request = await createAfterSale(ctx.db, snapshot, entry, input);
  await dropUploads(store, campaignId, input.photos);
  return request;
}
