import type { CampaignSnapshot } from '../shared/campaigns/index.js';
import { type Community, EMPTY_BOOK, type Membership } from '../shared/communities/index.js';
import { type CommunityRole, effectiveStatus } from '../shared/domain/index.js';
import type { AppDeps } from './env.js';
import { imageUrlFor } from './image-urls.js';

/** How a community shows to one caller: its team also sees the invite code and the counts by standing. */
export function communityView(
  deps: AppDeps,
  requestUrl: string,
  community: Community,
  viewer: { role: CommunityRole | null; membership: Membership | null },
) {
  const url = imageUrlFor(deps, requestUrl);
  const myRole = viewer.role ?? (viewer.membership?.status === 'active' ? viewer.membership.role : null);
  const isTeam = viewer.role !== null && viewer.role !== 'member';
  return {
    id: community.id,
    ownerId: community.ownerId,
    name: community.name,
    description: community.description,
    joinRule: community.joinRule,
    public: community.public,
    cover: community.cover ? { ...community.cover, url: url(community.cover.campaignId, community.cover.imageId, 'list') } : null,
    memberCount: community.counts.active,
    createdAt: community.createdAt,
    updatedAt: community.updatedAt,
    version: community.version,
    myRole,
    myStatus: viewer.membership?.status ?? (isTeam ? 'active' : null),
    following: viewer.membership?.following ?? false,
    ...(isTeam ? { staff: { inviteCode: community.inviteCode, counts: community.counts } } : {}),
  };
}

export function campaignCard(snapshot: CampaignSnapshot, now: Date) {
  return {
    id: snapshot.def.id,
    shareCode: snapshot.def.shareCode,
    title: snapshot.def.title,
    status: effectiveStatus(snapshot.state.status, snapshot.def.closesAt, now),
    closesAt: snapshot.def.closesAt,
    participantCount: snapshot.state.participants,
  };
}

export function membershipView(m: Membership) {
  return {
    communityId: m.communityId,
    userId: m.userId,
    nickname: m.nickname,
    role: m.role,
    status: m.status,
    following: m.following,
    joinedAt: m.joinedAt,
    updatedAt: m.updatedAt,
  };
}

export function memberView(m: Membership) {
  return {
    ...membershipView(m),
    note: m.note ?? null,
    tags: m.tags ?? [],
    by: m.by ?? null,
    book: m.book ?? EMPTY_BOOK,
  };
}
