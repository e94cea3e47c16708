import { createRoute, type RouteHandler } from '@hono/zod-openapi';
import {
  getMembership,
  joinCommunity,
  leaveCommunity,
  listMembers,
  moveMember,
  requireCommunity,
  requireCommunityRight,
  requireCommunityVisible,
  type StaffMove,
  setFollowing,
  updateMemberNotes,
} from '../../shared/communities/index.js';
import { NotFoundError } from '../../shared/errors.js';
import { membershipView, memberView } from '../community-views.js';
import type { AppDeps, AppEnv } from '../env.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { putTwin } from '../middleware/method-override.js';
import { bearer, errors, jsonResponse, PageQuery } from '../schemas/common.js';
import {
  CommunityIdParam,
  CommunityMemberParams,
  EditMemberBody,
  FollowBody,
  JoinCommunityBody,
  MemberPage,
  MemberQuery,
  MemberSchema,
  MembershipSchema,
} from '../schemas/community.js';
import { newRouter } from '../validation.js';

const join = createRoute({
  method: 'post',
  path: '/communities/{id}/members',
  tags: ['Community members'],
  summary:
    'Join the community. open: active at once; invite: with its invite code (403 INVITE_REQUIRED); approval: pending until staff approve (an invite code skips the wait). Joining twice keeps the standing',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CommunityIdParam, body: { required: false, content: { 'application/json': { schema: JoinCommunityBody } } } },
  responses: {
    200: jsonResponse(MembershipSchema, 'Your standing (active or pending)'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
    415: errors[415],
  },
});

const leave = createRoute({
  method: 'post',
  path: '/communities/{id}/leave',
  tags: ['Community members'],
  summary: 'Leave the community (and its team); your member book stays, counted, for its numbers. The owner cannot leave (409)',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CommunityIdParam },
  responses: { 204: { description: 'Left (also when you were not in it)' }, 401: errors[401], 404: errors[404], 409: errors[409] },
});

const follow = createRoute({
  method: 'put',
  path: '/communities/{id}/following',
  tags: ['Community members'],
  summary: 'Follow (new-campaign messages) or stop; someone not in the community becomes a follower of it',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CommunityIdParam, body: { required: true, content: { 'application/json': { schema: FollowBody } } } },
  responses: {
    200: jsonResponse(MembershipSchema, 'Your standing'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
    415: errors[415],
  },
});

const list = createRoute({
  method: 'get',
  path: '/communities/{id}/members',
  tags: ['Community members'],
  summary:
    'The member book for the team: each member with their standing, numbers, notes and tags. Filters: status, role, tag, q (nickname)',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CommunityIdParam, query: PageQuery.extend(MemberQuery.shape) },
  responses: { 200: jsonResponse(MemberPage, 'A page of members'), 400: errors[400], 401: errors[401], 403: errors[403], 404: errors[404] },
});

const getOne = createRoute({
  method: 'get',
  path: '/communities/{id}/members/{userId}',
  tags: ['Community members'],
  summary: "One member's page of the member book (the team; a member reads their own)",
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CommunityMemberParams },
  responses: { 200: jsonResponse(MemberSchema, 'The member'), 401: errors[401], 403: errors[403], 404: errors[404] },
});

const editMember = createRoute({
  method: 'patch',
  path: '/communities/{id}/members/{userId}',
  tags: ['Community members'],
  summary: "The team's note and tags on a member",
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CommunityMemberParams, body: { required: true, content: { 'application/json': { schema: EditMemberBody } } } },
  responses: {
    200: jsonResponse(MemberSchema, 'The member'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
    415: errors[415],
  },
});

const moveRoute = (move: StaffMove, method: 'post' | 'delete', path: string, summary: string) =>
  createRoute({
    method,
    path,
    tags: ['Community members'],
    summary,
    security: bearer,
    middleware: [signedIn] as const,
    request: { params: CommunityMemberParams },
    responses: {
      200: jsonResponse(MembershipSchema, `The standing after ${move}`),
      400: errors[400],
      401: errors[401],
      403: errors[403],
      404: errors[404],
      409: errors[409],
    },
  });

const approve = moveRoute('approve', 'post', '/communities/{id}/members/{userId}/approve', 'Approve a pending member (owner, admin)');
const remove = moveRoute(
  'remove',
  'delete',
  '/communities/{id}/members/{userId}',
  'Remove someone from the community and its team (owner, admin; only the owner removes an admin). They may ask to join again',
);
const block = moveRoute(
  'block',
  'post',
  '/communities/{id}/members/{userId}/block',
  'Block someone: out of the community and its team; they cannot rejoin or follow (owner, admin)',
);
const unblock = moveRoute(
  'unblock',
  'delete',
  '/communities/{id}/members/{userId}/block',
  'Lift a block (owner, admin): they may ask to join again',
);

export function communityMemberRoutes(deps: AppDeps) {
  const { db } = deps;
  const moveHandler =
    (move: StaffMove): RouteHandler<typeof approve, AppEnv> =>
    async (c) => {
      const user = requireUser(c);
      const { id, userId } = c.req.valid('param');
      const community = await requireCommunity(db, id);
      const role = await requireCommunityRight(db, community, user.id, 'manage-members', `${move} members`);
      const after = await moveMember(db, community, { id: user.id, role }, userId, move);
      deps.logger.info('community member moved', { requestId: c.get('requestId'), communityId: id, userId, move, by: user.id });
      return c.json(membershipView(after), 200);
    };
  const editHandler: RouteHandler<typeof editMember, AppEnv> = async (c) => {
    const user = requireUser(c);
    const { id, userId } = c.req.valid('param');
    const community = await requireCommunity(db, id);
    await requireCommunityRight(db, community, user.id, 'write-notes', 'write notes on members');
    return c.json(memberView(await updateMemberNotes(db, id, userId, c.req.valid('json'))), 200);
  };
  return newRouter()
    .openapi(join, async (c) => {
      const user = requireUser(c);
      const community = await requireCommunity(db, c.req.valid('param').id);
      const body = c.req.valid('json') as { code?: string } | undefined;
      const membership = await joinCommunity(db, community, user, body?.code);
      return c.json(membershipView(membership), 200);
    })
    .openapi(leave, async (c) => {
      const user = requireUser(c);
      const community = await requireCommunity(db, c.req.valid('param').id);
      await leaveCommunity(db, community, user.id);
      return c.body(null, 204);
    })
    .openapi(follow, async (c) => {
      const user = requireUser(c);
      const community = await requireCommunity(db, c.req.valid('param').id);
      const { following } = c.req.valid('json');
      // Following needs the community to be visible to you (a public one, or one you stand in).
      if (following) await requireCommunityVisible(db, community, user.id);
      const membership = await setFollowing(db, community, user, following);
      if (!membership) throw new NotFoundError(`You do not follow community ${community.id}`);
      return c.json(membershipView(membership), 200);
    })
    .openapi(list, async (c) => {
      const user = requireUser(c);
      const community = await requireCommunity(db, c.req.valid('param').id);
      await requireCommunityRight(db, community, user.id, 'read-members', 'read the member book');
      const query = c.req.valid('query');
      const page = await listMembers(db, community.id, query);
      return c.json({ members: page.members.map(memberView), nextCursor: page.nextCursor }, 200);
    })
    .openapi(getOne, async (c) => {
      const user = requireUser(c);
      const { id, userId } = c.req.valid('param');
      const community = await requireCommunity(db, id);
      if (userId !== user.id) await requireCommunityRight(db, community, user.id, 'read-members', 'read the member book');
      const membership = await getMembership(db, id, userId);
      if (!membership) throw new NotFoundError(`No member ${userId} in community ${id}`);
      return c.json(memberView(membership), 200);
    })
    .openapi(editMember, editHandler)
    .openapi(putTwin(editMember), editHandler)
    .openapi(approve, moveHandler('approve'))
    .openapi(remove, moveHandler('remove'))
    .openapi(block, moveHandler('block'))
    .openapi(unblock, moveHandler('unblock'));
}
