import { seesUncheckedImages } from '../shared/campaigns/index.js';
import { type CampaignDefinition, type ImageUrl, type ImageViewing, imagePath } from '../shared/domain/index.js';
import type { AppDeps } from './env.js';

/** Where a photo's size is fetched: the CDN (IMAGES_BASE_URL), else the API's own GET /media/… on the request's origin. */
export function imageUrlFor(deps: AppDeps, requestUrl: string): ImageUrl {
  const base = deps.images?.baseUrl ?? `${new URL(requestUrl).origin}/media`;
  return (campaignId, imageId, variant) => `${base}/${imagePath(campaignId, imageId, variant)}`;
}

/** How a campaign view shows photos to this reader; absent where photos are off (no IMAGES_BUCKET) and the campaign has none. */
export async function campaignMedia(
  deps: AppDeps,
  requestUrl: string,
  def: CampaignDefinition,
  userId: string | null | undefined,
): Promise<ImageViewing | undefined> {
  if (!deps.images && !def.images) return undefined;
  return { url: imageUrlFor(deps, requestUrl), staff: await seesUncheckedImages(deps.db, def, userId) };
}
