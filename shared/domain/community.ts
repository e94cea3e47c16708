/**
 * A leader's community (社群): who is in it and what each standing role may do. Pure: the rights
 * are a fixed table, so the access module, the docs and the authorization tests read one source.
 */

/** How someone becomes a member: anyone, with the community's invite code, or by staff approval. */
export type JoinRule = 'open' | 'invite' | 'approval';

/** Standing roles. The owner is the leader who created the community (exactly one). */
export type CommunityRole = 'owner' | 'admin' | 'helper' | 'member';

/**
 * Where someone stands: `active` members; `pending` waiting for approval; `follower` gets "new
 * campaign" messages without being a member; `left` left themselves; `removed` by staff (may ask
 * again); `blocked` by staff (may not rejoin). Only `active` holds a role's rights.
 */
/** `customer`: bought in a campaign of the community without joining it; the fold keeps their member book (stands like `left`). */
export type MembershipStatus = 'active' | 'pending' | 'follower' | 'left' | 'removed' | 'blocked' | 'customer';

export interface CommunityDefinition {
  id: string;
  ownerId: string;
  name: string;
  description: string;
  joinRule: JoinRule;
  /** opt-in: a public page (GET /communities/{id}) lists open and recent campaigns to anyone */
  public: boolean;
  /** a passed campaign photo chosen as the cover (campaign id + image id), or none */
  cover: { campaignId: string; imageId: string } | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** The rights of a role, fixed (README "Communities"). */
export type CommunityRight =
  | 'manage-community' // edit name, rules, cover; rotate the invite code
  | 'manage-admins' // invite and remove admins
  | 'manage-team' // invite and remove helpers
  | 'manage-members' // approve, remove, block members
  | 'publish-campaigns' // publish campaigns into the community (as their leader)
  | 'staff-campaigns' // be staff (helper rights) of every campaign in the community
  | 'read-members' // the member book, search and export
  | 'write-notes' // notes and tags in the member book
  | 'run-surveys' // surveys to members and their results
  | 'read-numbers'; // the community's numbers

const RIGHTS: Record<CommunityRole, readonly CommunityRight[]> = {
  owner: [
    'manage-community',
    'manage-admins',
    'manage-team',
    'manage-members',
    'publish-campaigns',
    'staff-campaigns',
    'read-members',
    'write-notes',
    'run-surveys',
    'read-numbers',
  ],
  admin: [
    'manage-team',
    'manage-members',
    'publish-campaigns',
    'staff-campaigns',
    'read-members',
    'write-notes',
    'run-surveys',
    'read-numbers',
  ],
  helper: ['staff-campaigns', 'read-members', 'write-notes'],
  member: [],
};

export const rightsOf = (role: CommunityRole): readonly CommunityRight[] => RIGHTS[role];

/** Whether someone standing `status` with `role` may do `right` (only active members hold rights). */
export function mayDo(role: CommunityRole | null, status: MembershipStatus | null, right: CommunityRight): boolean {
  return role !== null && status === 'active' && RIGHTS[role].includes(right);
}

/** Staff roles (team) of a community. */
export const TEAM_ROLES: readonly CommunityRole[] = ['owner', 'admin', 'helper'];
export const isTeamRole = (role: CommunityRole) => TEAM_ROLES.includes(role);

/** Which roles an inviter may hand out: the owner admins and helpers, an admin helpers. */
export function mayInvite(inviter: CommunityRole, role: CommunityRole): boolean {
  if (role === 'owner' || role === 'member') return false;
  return role === 'admin' ? inviter === 'owner' : inviter === 'owner' || inviter === 'admin';
}

/**
 * Whether `actor` may remove, block or demote `target`: nobody the owner; only the owner an admin;
 * an admin helpers and members.
 */
export function outranks(actor: CommunityRole, target: CommunityRole): boolean {
  if (target === 'owner') return false;
  if (target === 'admin') return actor === 'owner';
  return actor === 'owner' || actor === 'admin';
}

/** What a join request becomes under the community's rule (the invite code already checked). */
export function statusOnJoin(rule: JoinRule, byInvitation: boolean): MembershipStatus {
  return rule === 'approval' && !byInvitation ? 'pending' : 'active';
}
