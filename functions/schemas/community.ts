import { z } from '@hono/zod-openapi';
import { IsoTime } from './common.js';

const Name = z.string().trim().min(1).max(60);
const Description = z.string().trim().max(2000);
const JoinRule = z.enum(['open', 'invite', 'approval']).openapi({
  description: 'open: anyone joins at once; invite: only with the invite code; approval: staff approve each request',
});
const Cover = z
  .object({ campaignId: z.string().min(1).max(200), imageId: z.string().min(1).max(200) })
  .openapi('CommunityCover', { description: "a photo of one of the community's campaigns (it passed WeChat's image check)" });

export const CreateCommunityBody = z
  .object({
    name: Name.openapi({ example: '阳光花园邻里团' }),
    description: Description.optional(),
    joinRule: JoinRule.optional().openapi({ description: 'default open' }),
    public: z.boolean().optional().openapi({ description: 'default false: opt in to a page anyone can open' }),
    fromCampaignId: z.string().min(1).max(200).optional().openapi({
      description:
        'build the community from a campaign you lead: it is published into the community, its helpers join the team, and (once settled) its members fill the member book',
    }),
  })
  .openapi('CreateCommunityRequest');

export const EditCommunityBody = z
  .object({
    name: Name.optional(),
    description: Description.optional(),
    joinRule: JoinRule.optional(),
    public: z.boolean().optional(),
    cover: Cover.nullable().optional(),
    rotateInviteCode: z.boolean().optional().openapi({ description: 'true: a new invite code; the old one stops working' }),
  })
  .openapi('EditCommunityRequest');

const Role = z.enum(['owner', 'admin', 'helper', 'member']);
const Status = z
  .enum(['active', 'pending', 'follower', 'left', 'removed', 'blocked', 'customer'])
  .openapi({ description: 'customer: bought in a campaign of the community without joining it (a member-book row only)' });

export const CommunitySchema = z
  .object({
    id: z.string(),
    ownerId: z.string(),
    name: z.string(),
    description: z.string(),
    joinRule: JoinRule,
    public: z.boolean(),
    cover: z
      .object({ campaignId: z.string(), imageId: z.string(), url: z.string().nullable() })
      .nullable()
      .openapi({ description: 'url: the list-size photo, null when it is no longer shown' }),
    memberCount: z.number().int(),
    createdAt: IsoTime,
    updatedAt: IsoTime,
    version: z.number().int(),
    myRole: Role.nullable().openapi({ description: "the caller's role (null: signed out or not in it)" }),
    myStatus: Status.nullable(),
    following: z.boolean(),
    staff: z
      .object({
        inviteCode: z.string(),
        counts: z.object({ active: z.number().int(), pending: z.number().int(), follower: z.number().int(), blocked: z.number().int() }),
      })
      .optional()
      .openapi({ description: 'for its team only: the invite code and the counts by standing' }),
  })
  .openapi('Community');

const CampaignCard = z
  .object({
    id: z.string(),
    shareCode: z.string(),
    title: z.string(),
    status: z.string(),
    closesAt: IsoTime,
    participantCount: z.number().int(),
  })
  .openapi('CommunityCampaign');

export const CommunityPage = CommunitySchema.extend({
  openCampaigns: z.array(CampaignCard),
  recentCampaigns: z.array(CampaignCard).openapi({ description: 'the newest closed, settled or called-off ones' }),
}).openapi('CommunityPage');

export const CommunityCampaignPage = z
  .object({ campaigns: z.array(CampaignCard), nextCursor: z.string().nullable() })
  .openapi('CommunityCampaignPage');

export const MembershipSchema = z
  .object({
    communityId: z.string(),
    userId: z.string(),
    nickname: z.string(),
    role: Role,
    status: Status,
    following: z.boolean(),
    joinedAt: IsoTime,
    updatedAt: IsoTime,
  })
  .openapi('Membership');

export const MemberBookSchema = z
  .object({
    firstJoinAt: IsoTime.nullable(),
    lastJoinAt: IsoTime.nullable(),
    campaigns: z.number().int().openapi({ description: 'settled campaigns they bought in' }),
    units: z.number().int(),
    amount: z.number().int().openapi({ description: 'fen: what they paid, finally, in settled campaigns' }),
    refunded: z.number().int().openapi({ description: 'fen refunded to them' }),
    pickups: z.number().int(),
    noShows: z.number().int(),
  })
  .openapi('MemberBook');

export const MemberSchema = MembershipSchema.extend({
  note: z.string().nullable(),
  tags: z.array(z.string()),
  by: z.string().nullable().openapi({ description: 'who of the staff last approved, removed, blocked or invited them' }),
  book: MemberBookSchema,
}).openapi('Member');

export const MemberPage = z.object({ members: z.array(MemberSchema), nextCursor: z.string().nullable() }).openapi('MemberPage');
export const MyCommunityPage = z
  .object({ memberships: z.array(MembershipSchema.extend({ communityName: z.string() })), nextCursor: z.string().nullable() })
  .openapi('MyCommunityPage');

export const JoinCommunityBody = z
  .object({
    code: z.string().trim().min(1).max(20).optional().openapi({ description: "the community's invite code (invite rule; skips approval)" }),
  })
  .openapi('JoinCommunityRequest');

export const FollowBody = z.object({ following: z.boolean() }).openapi('FollowRequest');

export const MemberQuery = z.object({
  status: Status.optional(),
  role: Role.optional(),
  tag: z.string().max(40).optional(),
  q: z.string().max(40).optional().openapi({ description: 'part of the nickname' }),
});

export const EditMemberBody = z
  .object({
    note: z.string().trim().max(500).nullable().optional(),
    tags: z.array(z.string().trim().min(1).max(20)).max(10).optional(),
  })
  .openapi('EditMemberRequest');

export const InvitationBody = z.object({ role: z.enum(['admin', 'helper']) }).openapi('CreateInvitationRequest');
export const InvitationSchema = z
  .object({
    token: z.string(),
    communityId: z.string(),
    communityName: z.string(),
    role: z.enum(['admin', 'helper']),
    invitedBy: z.string(),
    expiresAt: IsoTime,
    path: z.string().openapi({ description: 'what to share: POST it (signed in as the invitee) with /accept' }),
  })
  .openapi('Invitation');

export const TeamSchema = z.object({ team: z.array(z.object({ userId: z.string(), role: Role, nickname: z.string() })) }).openapi('Team');

export const AttachCampaignBody = z.object({ campaignId: z.string().min(1).max(200) }).openapi('AttachCampaignRequest');

export const CommunityIdParam = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'g_0abc' }),
});
export const CommunityMemberParams = CommunityIdParam.extend({
  userId: z
    .string()
    .min(1)
    .openapi({ param: { name: 'userId', in: 'path' } }),
});
export const InvitationParam = z.object({
  token: z
    .string()
    .min(1)
    .openapi({ param: { name: 'token', in: 'path' } }),
});
