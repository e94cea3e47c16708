import type { CampaignDb } from './cache.js';
import { requireCampaign } from './campaigns.js';
import type { CampaignSnapshot } from './snapshot.js';

/** The campaign for a join: from the cache when warm, else a consistent read that warms it. */
export async function campaignForJoin(db: CampaignDb, campaignId: string): Promise<{ snapshot: CampaignSnapshot; cached: boolean }> {
  const cached = db.cache?.get(campaignId);
  if (cached) return { snapshot: cached, cached: true };
  return { snapshot: await freshCampaign(db, campaignId), cached: false };
}

export async function freshCampaign(db: CampaignDb, campaignId: string): Promise<CampaignSnapshot> {
  const snapshot = await requireCampaign(db, campaignId);
  db.cache?.put(snapshot);
  return snapshot;
}
