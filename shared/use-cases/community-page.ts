import { type CampaignSnapshot, getCampaign } from '../campaigns/index.js';
import { type Community, listCampaignLinks } from '../communities/index.js';
import type { DbContext } from '../table/index.js';

/** How many of the newest campaigns the community page shows (open ones and the recent rest). */
export const COMMUNITY_PAGE_CAMPAIGNS = 20;

/**
 * The campaigns published into a community, newest first, as they stand now: one Query of the
 * community's links and one strongly consistent read per campaign (drafts left out: only their
 * staff may see them, and the page is public).
 */
export async function communityCampaigns(
  db: DbContext,
  community: Community,
  limit: number,
  cursor?: string,
): Promise<{ snapshots: CampaignSnapshot[]; nextCursor: string | null }> {
  const page = await listCampaignLinks(db, community.id, limit, cursor);
  const snapshots = await Promise.all(page.links.map((link) => getCampaign(db, link.campaignId)));
  return {
    snapshots: snapshots.filter((s): s is CampaignSnapshot => s !== null && s.state.status !== 'draft'),
    nextCursor: page.nextCursor,
  };
}
