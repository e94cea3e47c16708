import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type CommunityRole, mayInvite } from '../domain/index.js';
import { ForbiddenError, InvalidStateError, NotFoundError } from '../errors.js';
import type { DbContext } from '../table/index.js';
import { isLookupableId, keys } from '../table/index.js';
import type { Community } from './communities.js';
import { changeStanding, type Membership } from './members.js';

/**
 * Team invitations (管理员, 团长助手) by link: the inviter makes a token, shares the link in WeChat,
 * and the invitee accepts it signed in as themselves, so nobody types user ids. A token is
 * accepted once and expires; accepting checks in the same transaction that the inviter still
 * holds the right to hand out that role (a removed admin's links die with their rights).
 */
export interface Invitation {
  token: string;
  communityId: string;
  role: Exclude<CommunityRole, 'owner' | 'member'>;
  invitedBy: string;
  createdAt: string;
  expiresAt: string;
}

export const INVITATION_TTL_HOURS = 72;

export async function createInvitation(
  db: DbContext,
  community: Community,
  inviter: { userId: string; role: CommunityRole },
  role: Invitation['role'],
): Promise<Invitation> {
  if (!mayInvite(inviter.role, role)) throw new ForbiddenError(`A community ${inviter.role} cannot invite a ${role}`, { role });
  const now = db.clock.now();
  const invitation: Invitation = {
    token: randomBytes(18).toString('base64url'),
    communityId: community.id,
    role,
    invitedBy: inviter.userId,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + INVITATION_TTL_HOURS * 3_600_000).toISOString(),
  };
  await db.doc.send(
    new PutCommand({
      TableName: db.tableName,
      Item: {
        ...keys.invitation(invitation.token),
        type: 'invitation',
        ...invitation,
        ttl: Math.floor(Date.parse(invitation.expiresAt) / 1000),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return invitation;
}

/** The invitation a token names, if it is still good (a spent, expired or unknown token is 404 alike). */
export async function getInvitation(db: DbContext, token: string): Promise<Invitation | null> {
  if (!isLookupableId(token)) return null;
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.invitation(token), ConsistentRead: true }));
  const item = out.Item;
  if (!item || Date.parse(item.expiresAt as string) <= db.clock.now().getTime()) return null;
  return {
    token,
    communityId: item.communityId as string,
    role: item.role as Invitation['role'],
    invitedBy: item.invitedBy as string,
    createdAt: item.createdAt as string,
    expiresAt: item.expiresAt as string,
  };
}

const ROLE_RANK: Record<CommunityRole, number> = { member: 0, helper: 1, admin: 2, owner: 3 };

/**
 * The invitee joins the team: their standing becomes active with the invited role (a member
 * already of a higher role keeps it), the token is spent, and the inviter's right is checked,
 * all in one transaction. Blocked people cannot be invited back by a link.
 */
export async function acceptInvitation(
  db: DbContext,
  invitation: Invitation,
  invitee: { userId: string; nickname: string },
): Promise<Membership> {
  return changeStanding(db, invitation.communityId, invitee.userId, (current) => {
    if (current?.status === 'blocked') throw new ForbiddenError('You are blocked from this community');
    if (current?.status === 'active' && ROLE_RANK[current.role] >= ROLE_RANK[invitation.role]) {
      throw new InvalidStateError(`You are already ${current.role === 'owner' ? 'the owner' : `a ${current.role}`} of this community`, {
        role: current.role,
      });
    }
    const now = db.clock.now().toISOString();
    const inviterRoles = invitation.role === 'admin' ? ['owner'] : ['owner', 'admin'];
    const membership: Membership = {
      communityId: invitation.communityId,
      userId: invitee.userId,
      nickname: invitee.nickname,
      role: invitation.role,
      status: 'active',
      following: current?.following ?? true,
      joinedAt: current?.joinedAt ?? now,
      updatedAt: now,
      by: invitation.invitedBy,
    };
    return {
      change: {
        status: 'active',
        role: invitation.role,
        following: membership.following,
        nickname: invitee.nickname,
        by: invitation.invitedBy,
        with: [
          {
            failure: invitationGone,
            write: {
              Delete: {
                TableName: db.tableName,
                Key: keys.invitation(invitation.token),
                ConditionExpression: 'attribute_exists(pk) AND expiresAt > :now',
                ExpressionAttributeValues: { ':now': now },
              },
            },
          },
          {
            failure: () => new ForbiddenError('Whoever sent this invitation may no longer invite to this community; ask for a new link'),
            write: {
              ConditionCheck: {
                TableName: db.tableName,
                Key: keys.communityMember(invitation.communityId, invitation.invitedBy),
                ConditionExpression: '#status = :active AND #role IN (:r0, :r1)',
                ExpressionAttributeNames: { '#status': 'status', '#role': 'role' },
                ExpressionAttributeValues: { ':active': 'active', ':r0': inviterRoles[0], ':r1': inviterRoles[1] ?? inviterRoles[0] },
              },
            },
          },
        ],
      },
      result: membership,
    };
  });
}

/** Why an accept failed in its transaction, named for the invitee (the invitation's part of it). */
export function invitationGone(): NotFoundError {
  return new NotFoundError('This invitation was used, withdrawn or has expired; ask for a new link');
}
