import { type CommunityRole, type MembershipStatus, outranks, statusOnJoin } from '../domain/index.js';
import {
  CommunityBlockedError,
  ForbiddenError,
  InvalidStateError,
  InviteRequiredError,
  NotFoundError,
  ValidationError,
} from '../errors.js';
import type { DbContext } from '../table/index.js';
import type { Community } from './communities.js';
import { changeStanding, type Membership } from './members.js';

/**
 * The moves of a member's standing: join (by the rule), leave, follow, and the staff's approve,
 * remove, block and unblock. Each is one changeStanding: decided on a fresh read, written with the
 * counts in one transaction, idempotent (doing it twice changes nothing the second time).
 */

const view = (
  communityId: string,
  userId: string,
  m: Partial<Membership> & Pick<Membership, 'status' | 'role' | 'following'>,
  now: string,
  before: Membership | null,
): Membership => ({
  communityId,
  userId,
  nickname: m.nickname ?? before?.nickname ?? '',
  role: m.role,
  status: m.status,
  following: m.following,
  joinedAt: before?.joinedAt ?? now,
  updatedAt: now,
  ...(before?.book ? { book: before.book } : {}),
  ...(before?.note !== undefined ? { note: before.note } : {}),
  ...(before?.tags ? { tags: before.tags } : {}),
});

/**
 * A member asks to join. `open`: active at once; `invite`: only with the community's current
 * invite code (else 403 INVITE_REQUIRED); `approval`: pending until staff approve (a valid invite
 * code skips the wait). Someone already active or pending keeps their standing; blocked is 403.
 */
export async function joinCommunity(
  db: DbContext,
  community: Community,
  user: { id: string; nickname: string },
  code: string | undefined,
): Promise<Membership> {
  const byInvitation = code !== undefined && code.toUpperCase() === community.inviteCode;
  if (code !== undefined && !byInvitation) throw new InviteRequiredError("That invite code is not (or no longer) this community's");
  if (community.joinRule === 'invite' && !byInvitation)
    throw new InviteRequiredError('This community takes members by invitation: join with its invite code');
  return changeStanding(
    db,
    community.id,
    user.id,
    (current) => {
      const now = db.clock.now().toISOString();
      if (current?.status === 'blocked') throw new CommunityBlockedError();
      if (current && (current.status === 'active' || (current.status === 'pending' && !byInvitation))) return { result: current };
      const status = statusOnJoin(community.joinRule, byInvitation);
      const next = { status, role: current?.role ?? ('member' as CommunityRole), following: true, nickname: user.nickname };
      return { change: next, result: view(community.id, user.id, next, now, current) };
    },
    { assumeNew: true },
  );
}

/** The member leaves (their member book stays, counted, for the leader's numbers). The owner cannot leave. */
export async function leaveCommunity(db: DbContext, community: Community, userId: string): Promise<Membership | null> {
  if (community.ownerId === userId) throw new InvalidStateError('The owner cannot leave their community');
  return changeStanding(db, community.id, userId, (current) => {
    if (!current || ['left', 'removed', 'blocked', 'customer'].includes(current.status)) return { result: current };
    const next = { status: 'left' as MembershipStatus, role: 'member' as CommunityRole, following: false };
    return { change: next, result: view(community.id, userId, next, db.clock.now().toISOString(), current) };
  });
}

/** Follow (new-campaign messages) or stop: a member keeps their standing; anyone else of a visible community becomes a follower. */
export async function setFollowing(
  db: DbContext,
  community: Community,
  user: { id: string; nickname: string },
  following: boolean,
): Promise<Membership | null> {
  return changeStanding(db, community.id, user.id, (current) => {
    const now = db.clock.now().toISOString();
    if (current?.status === 'blocked') throw new CommunityBlockedError();
    const standsIn = current && ['active', 'pending'].includes(current.status);
    if (standsIn) {
      if (current.following === following) return { result: current };
      const next = { status: current.status, role: current.role, following };
      return { change: next, result: view(community.id, user.id, next, now, current) };
    }
    if (following) {
      if (current?.status === 'follower') return { result: current };
      const next = { status: 'follower' as MembershipStatus, role: 'member' as CommunityRole, following: true, nickname: user.nickname };
      return { change: next, result: view(community.id, user.id, next, now, current) };
    }
    if (current?.status !== 'follower') return { result: current };
    const next = { status: 'left' as MembershipStatus, role: 'member' as CommunityRole, following: false };
    return { change: next, result: view(community.id, user.id, next, now, current) };
  });
}

export type StaffMove = 'approve' | 'remove' | 'block' | 'unblock';

/**
 * A staff member acts on someone's standing. Approve: pending → active. Remove: out of the
 * community (and the team), may ask again. Block: out, and may not come back or follow. Unblock:
 * back to a stranger (who may ask again). Nobody acts on the owner, only the owner on an admin.
 */
export async function moveMember(
  db: DbContext,
  community: Community,
  actor: { id: string; role: CommunityRole },
  userId: string,
  move: StaffMove,
): Promise<Membership> {
  if (userId === actor.id) throw new ValidationError(`You cannot ${move} yourself`, { fields: [{ path: 'userId', message: 'is you' }] });
  return changeStanding(db, community.id, userId, (current) => {
    const now = db.clock.now().toISOString();
    if (move !== 'block' && !current) throw new NotFoundError(`No member ${userId} in community ${community.id}`);
    if (current && current.status === 'active' && !outranks(actor.role, current.role)) {
      throw new ForbiddenError(`A community ${actor.role} cannot ${move} the ${current.role}`, { role: current.role });
    }
    const to = targetStatus(move, current);
    if (to === null)
      throw new InvalidStateError(`Cannot ${move} a member who is ${current?.status ?? 'not in the community'}`, {
        status: current?.status ?? null,
      });
    if (current && current.status === to) return { result: current };
    const next = {
      status: to,
      role: to === 'active' ? (current?.role ?? 'member') : ('member' as CommunityRole),
      following: to === 'active',
      by: actor.id,
    };
    return { change: next, result: view(community.id, userId, next, now, current) };
  });
}

function targetStatus(move: StaffMove, current: Membership | null): MembershipStatus | null {
  const status = current?.status ?? null;
  switch (move) {
    case 'approve':
      return status === 'pending' || status === 'active' ? 'active' : null;
    case 'remove':
      return status === 'active' || status === 'pending' || status === 'follower' || status === 'removed' ? 'removed' : null;
    case 'block':
      return 'blocked';
    case 'unblock':
      return status === 'blocked' ? 'removed' : null;
  }
}

/** The owner or an admin takes a team member back to a plain member (they stay in the community). */
export async function demoteTeamMember(
  db: DbContext,
  community: Community,
  actor: { id: string; role: CommunityRole },
  userId: string,
): Promise<Membership> {
  return changeStanding(db, community.id, userId, (current) => {
    if (!current || current.status !== 'active' || current.role === 'member')
      throw new NotFoundError(`${userId} is not on the team of community ${community.id}`);
    if (!outranks(actor.role, current.role))
      throw new ForbiddenError(`A community ${actor.role} cannot take the ${current.role} off the team`);
    const next = { status: 'active' as MembershipStatus, role: 'member' as CommunityRole, following: current.following, by: actor.id };
    return { change: next, result: view(community.id, userId, next, db.clock.now().toISOString(), current) };
  });
}

/**
 * Puts someone on the team as `role` without an invitation: the owner's migration of a campaign's
 * helpers (团长助手) when the campaign moves into the community. Someone already on the team at
 * that rank or higher, or blocked, is left as they are (returns null).
 */
export async function addToTeam(
  db: DbContext,
  community: Community,
  user: { id: string; nickname: string },
  role: 'admin' | 'helper',
  by: string,
): Promise<Membership | null> {
  return changeStanding(db, community.id, user.id, (current) => {
    if (current?.status === 'blocked') return { result: null };
    if (current?.status === 'active' && (current.role === role || current.role === 'owner' || current.role === 'admin'))
      return { result: null };
    const next = {
      status: 'active' as MembershipStatus,
      role: role as CommunityRole,
      following: current?.following ?? true,
      nickname: user.nickname,
      by,
    };
    return { change: next, result: view(community.id, user.id, next, db.clock.now().toISOString(), current) };
  });
}
