import { getCampaign } from '../campaigns/index.js';
import { listUserMemberships } from '../communities/index.js';
import type { DbContext } from '../table/index.js';

/**
 * The communities a user may have points in: those they stand in (gsi1 MEMBERSHIP#) and those of
 * the campaigns they joined (a participant who never became a member still earns there).
 */
export async function communitiesOf(db: DbContext, userId: string, campaignIds: Iterable<string>): Promise<Set<string>> {
  const out = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await listUserMemberships(db, userId, 100, cursor);
    for (const m of page.memberships) out.add(m.communityId);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  for (const campaignId of new Set(campaignIds)) {
    const communityId = (await getCampaign(db, campaignId))?.def.communityId;
    if (communityId) out.add(communityId);
  }
  return out;
}
