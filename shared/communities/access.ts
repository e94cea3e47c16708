import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type CommunityRight, type CommunityRole, mayDo } from '../domain/index.js';
import { ForbiddenError, NotFoundError } from '../errors.js';
import type { DbContext } from '../table/index.js';
import { isLookupableId, keys } from '../table/index.js';
import { type Community, getCommunity, requireCommunity } from './communities.js';
import { getMembership } from './members.js';

/**
 * Who may do what in a community (README "Communities"), decided before the use case runs. Every
 * right belongs to a team role, and the team is a map on #META: the community read that every
 * route makes already answers it, so a right check costs no extra read, and a removed admin (the
 * map loses them in the same transaction) is refused at their next request.
 */

/** The caller's team role, or 'member'/null: 'member' only when `membership` was read and is active. */
export function teamRole(community: Community, userId: string | null | undefined): CommunityRole | null {
  if (!userId) return null;
  return community.team[userId] ?? null;
}

/** 403 unless the caller's role holds `right`; 404 for someone who may not even see a private community. */
export async function requireCommunityRight(
  db: DbContext,
  community: Community,
  userId: string,
  right: CommunityRight,
  action: string,
): Promise<CommunityRole> {
  const role = teamRole(community, userId);
  if (role && mayDo(role, 'active', right)) return role;
  await requireCommunityVisible(db, community, userId);
  throw new ForbiddenError(`Only ${whoMay(right)} of this community can ${action}`, { role: role ?? 'none' });
}

const whoMay = (right: CommunityRight) =>
  (['owner', 'admin', 'helper'] as const).filter((r) => mayDo(r, 'active', right)).join(' or ') || 'nobody';

/**
 * A private community exists for its team and the people who stand in it (members, those waiting
 * for approval, followers); anyone else gets the 404 an unknown id gets. A public one is for all.
 */
export async function requireCommunityVisible(db: DbContext, community: Community, userId: string | null | undefined): Promise<void> {
  if (community.public || teamRole(community, userId)) return;
  if (userId) {
    const membership = await getMembership(db, community.id, userId);
    if (membership && ['active', 'pending', 'follower'].includes(membership.status)) return;
  }
  throw new NotFoundError(`No community ${community.id}`);
}

/**
 * Whether a user is on the team of a community (owner, admin or helper): staff of every campaign
 * published into it. One GetItem of #META, projected to the one map entry.
 */
export async function isCommunityStaff(db: DbContext, communityId: string, userId: string): Promise<boolean> {
  if (!isLookupableId(userId)) return false;
  const out = await db.doc.send(
    new GetCommand({
      TableName: db.tableName,
      Key: keys.communityMeta(communityId),
      ProjectionExpression: '#team.#u',
      ExpressionAttributeNames: { '#team': 'team', '#u': userId },
    }),
  );
  const role = (out.Item?.team as Record<string, CommunityRole> | undefined)?.[userId];
  return role !== undefined && mayDo(role, 'active', 'staff-campaigns');
}

/**
 * The condition a campaign's publication into a community carries in its own transaction: its
 * leader holds `publish-campaigns` there at the moment of writing.
 */
export function publisherCheck(db: DbContext, communityId: string, userId: string) {
  return {
    ConditionCheck: {
      TableName: db.tableName,
      Key: keys.communityMeta(communityId),
      ConditionExpression: '#team.#u IN (:owner, :admin)',
      ExpressionAttributeNames: { '#team': 'team', '#u': userId },
      ExpressionAttributeValues: { ':owner': 'owner', ':admin': 'admin' },
    },
  };
}

/** Whether the user may publish into the community now (a clone keeps its community only then). */
export async function mayPublish(db: DbContext, communityId: string, userId: string): Promise<boolean> {
  const community = await getCommunity(db, communityId);
  const role = community ? teamRole(community, userId) : null;
  return role !== null && mayDo(role, 'active', 'publish-campaigns');
}

/** Publishing a campaign into a community: its owner or an admin (404 for a community the caller cannot see). */
export async function requirePublisher(db: DbContext, communityId: string, userId: string): Promise<Community> {
  const community = await requireCommunity(db, communityId);
  await requireCommunityRight(db, community, userId, 'publish-campaigns', 'publish campaigns into it');
  return community;
}
