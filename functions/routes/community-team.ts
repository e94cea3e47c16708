import { createRoute } from '@hono/zod-openapi';
import {
  acceptInvitation,
  createInvitation,
  demoteTeamMember,
  getInvitation,
  invitationGone,
  requireCommunity,
  requireCommunityRight,
  teamRole,
} from '../../shared/communities/index.js';
import { getUser } from '../../shared/people/index.js';
import { batchGetAll, keys } from '../../shared/table/index.js';
import { membershipView } from '../community-views.js';
import type { AppDeps } from '../env.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { bearer, errors, jsonResponse } from '../schemas/common.js';
import {
  CommunityIdParam,
  CommunityMemberParams,
  InvitationBody,
  InvitationParam,
  InvitationSchema,
  MembershipSchema,
  TeamSchema,
} from '../schemas/community.js';
import { newRouter } from '../validation.js';

const team = createRoute({
  method: 'get',
  path: '/communities/{id}/team',
  tags: ['Community team'],
  summary: 'The team: owner, admins (管理员) and helpers (团长助手), with their current nicknames (the team)',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CommunityIdParam },
  responses: { 200: jsonResponse(TeamSchema, 'The team'), 401: errors[401], 403: errors[403], 404: errors[404] },
});

const invite = createRoute({
  method: 'post',
  path: '/communities/{id}/invitations',
  tags: ['Community team'],
  summary:
    'Invite someone onto the team by link: the owner invites admins and helpers, an admin helpers. The link works once, for 72 hours',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CommunityIdParam, body: { required: true, content: { 'application/json': { schema: InvitationBody } } } },
  responses: {
    201: jsonResponse(InvitationSchema, 'The invitation: share its path'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
    415: errors[415],
  },
});

const peek = createRoute({
  method: 'get',
  path: '/invitations/{token}',
  tags: ['Community team'],
  summary: 'What an invitation is for (community and role), before accepting it',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: InvitationParam },
  responses: { 200: jsonResponse(InvitationSchema, 'The invitation'), 401: errors[401], 404: errors[404] },
});

const accept = createRoute({
  method: 'post',
  path: '/invitations/{token}/accept',
  tags: ['Community team'],
  summary: "Accept an invitation as yourself: you join the community's team in its role. Used, expired or withdrawn links are 404",
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: InvitationParam },
  responses: {
    200: jsonResponse(MembershipSchema, 'Your standing on the team'),
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
  },
});

const demote = createRoute({
  method: 'delete',
  path: '/communities/{id}/team/{userId}',
  tags: ['Community team'],
  summary:
    'Take someone off the team (they stay a member). The owner takes off admins and helpers, an admin helpers; rights end at their next request',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CommunityMemberParams },
  responses: {
    200: jsonResponse(MembershipSchema, 'Their standing now'),
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
  },
});

export function communityTeamRoutes(deps: AppDeps) {
  const { db } = deps;
  const invitationView = (inv: Awaited<ReturnType<typeof createInvitation>>, communityName: string) => ({
    token: inv.token,
    communityId: inv.communityId,
    communityName,
    role: inv.role,
    invitedBy: inv.invitedBy,
    expiresAt: inv.expiresAt,
    path: `/invitations/${inv.token}`,
  });
  return newRouter()
    .openapi(team, async (c) => {
      const user = requireUser(c);
      const community = await requireCommunity(db, c.req.valid('param').id);
      await requireCommunityRight(db, community, user.id, 'read-members', 'see the team');
      const ids = Object.keys(community.team);
      // Names from the members' items (one BatchGet): the team map holds ids and roles only.
      const items = await batchGetAll(
        db,
        ids.map((id) => keys.communityMember(community.id, id)),
        { projection: 'userId, nickname' },
      );
      const names = new Map(items.map((i) => [i.userId as string, (i.nickname as string | undefined) ?? '']));
      const rank = { owner: 0, admin: 1, helper: 2 } as const;
      const list = ids
        .map((id) => ({ userId: id, role: community.team[id]!, nickname: names.get(id) ?? '' }))
        .sort((a, b) => rank[a.role] - rank[b.role] || a.userId.localeCompare(b.userId));
      return c.json({ team: list }, 200);
    })
    .openapi(invite, async (c) => {
      const user = requireUser(c);
      const community = await requireCommunity(db, c.req.valid('param').id);
      const role = await requireCommunityRight(db, community, user.id, 'manage-team', 'invite people onto the team');
      const invitation = await createInvitation(db, community, { userId: user.id, role }, c.req.valid('json').role);
      deps.logger.info('team invitation made', {
        requestId: c.get('requestId'),
        communityId: community.id,
        role: invitation.role,
        by: user.id,
      });
      return c.json(invitationView(invitation, community.name), 201);
    })
    .openapi(peek, async (c) => {
      requireUser(c);
      const invitation = await getInvitation(db, c.req.valid('param').token);
      if (!invitation) throw invitationGone();
      const community = await requireCommunity(db, invitation.communityId);
      return c.json(invitationView(invitation, community.name), 200);
    })
    .openapi(accept, async (c) => {
      const user = requireUser(c);
      const invitation = await getInvitation(db, c.req.valid('param').token);
      if (!invitation) throw invitationGone();
      // The profile's nickname (the token's may be older) goes on the team list.
      const profile = await getUser(db, user.id);
      const membership = await acceptInvitation(db, invitation, { userId: user.id, nickname: profile?.nickname ?? user.nickname });
      deps.logger.info('team invitation accepted', {
        requestId: c.get('requestId'),
        communityId: invitation.communityId,
        role: invitation.role,
        userId: user.id,
      });
      return c.json(membershipView(membership), 200);
    })
    .openapi(demote, async (c) => {
      const user = requireUser(c);
      const { id, userId } = c.req.valid('param');
      const community = await requireCommunity(db, id);
      const role =
        teamRole(community, user.id) === 'owner'
          ? 'owner'
          : await requireCommunityRight(db, community, user.id, 'manage-team', 'change the team');
      const after = await demoteTeamMember(db, community, { id: user.id, role }, userId);
      deps.logger.info('team member taken off', { requestId: c.get('requestId'), communityId: id, userId, by: user.id });
      return c.json(membershipView(after), 200);
    });
}
