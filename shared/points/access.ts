import { type Community, getMembership, requireCommunityVisible, teamRole } from '../communities/index.js';
import { ForbiddenError } from '../errors.js';
import type { DbContext } from '../table/index.js';

/**
 * Who may read a community's points rules: its team and its members (active, waiting, following).
 * Anyone else: 404 for a private community (as an unknown id), 403 for a public one.
 */
export async function requirePointsReader(db: DbContext, community: Community, userId: string): Promise<void> {
  if (teamRole(community, userId)) return;
  const membership = await getMembership(db, community.id, userId);
  if (membership && ['active', 'pending', 'follower'].includes(membership.status)) return;
  await requireCommunityVisible(db, community, userId);
  throw new ForbiddenError('Only members and the team of this community can read its points rules');
}
