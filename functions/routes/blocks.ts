import { createRoute, z } from '@hono/zod-openapi';
import { profileNicknames, requireBlockManager, requireCampaign } from '../../shared/campaigns/index.js';
import { listBlocks, unblockMember } from '../../shared/entries/index.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import { getUser } from '../../shared/people/index.js';
import { blockMemberFromCampaign } from '../../shared/use-cases/index.js';
import type { AppDeps } from '../env.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { bearer, CampaignIdParam, errors, jsonResponse } from '../schemas/common.js';
import { newRouter } from '../validation.js';

const BlockSchema = z
  .object({
    userId: z.string(),
    nickname: z.string().openapi({ description: "the member's current profile nickname ('' once they erased their data)" }),
    blockedBy: z.string(),
    blockedAt: z.string(),
  })
  .openapi('Block');

const BlockList = z.object({ blocks: z.array(BlockSchema) }).openapi('BlockList');

const BlockBody = z
  .object({
    userId: z.string().trim().min(1).max(200).openapi({ description: 'the member to block (the userId of their entry)', example: 'u_abc' }),
    cancelEntries: z.boolean().default(false).openapi({
      description:
        "also cancel the member's entry (refunded if prepaid), leader only and while the campaign is open; default: the entry stays",
    }),
  })
  .openapi('BlockRequest');

const BlockResult = BlockSchema.omit({ nickname: true })
  .extend({
    cancelledEntryId: z.string().nullable().openapi({ description: 'the entry cancelled with the block (cancelEntries), or null' }),
    cancelledEntryIds: z
      .array(z.string())
      .openapi({ description: 'every entry cancelled with the block: several when the campaign allows more than one entry per member' }),
  })
  .openapi('BlockResult');

const BlockParams = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'id', in: 'path' } }),
  userId: z
    .string()
    .min(1)
    .openapi({ param: { name: 'userId', in: 'path' } }),
});

const blockRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/blocks',
  tags: ['Blocks'],
  summary: 'Leader or helper blocks a member from the campaign: their joins are 403 BLOCKED. Blocking twice keeps the first',
  description:
    'The block stops future joins (the member cannot rejoin after a cancel either); an existing entry stays unless `cancelEntries` is true ' +
    '(leader only, while the campaign is open). The leader cannot be blocked.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam, body: { required: true, content: { 'application/json': { schema: BlockBody } } } },
  responses: {
    201: jsonResponse(BlockResult, 'The block'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
    415: errors[415],
  },
});

const unblockRoute = createRoute({
  method: 'delete',
  path: '/campaigns/{id}/blocks/{userId}',
  tags: ['Blocks'],
  summary: 'Leader or helper lifts a block (204, also when there was none); the member may join again',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: BlockParams },
  responses: { 204: { description: 'Unblocked' }, 401: errors[401], 403: errors[403], 404: errors[404] },
});

const listRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/blocks',
  tags: ['Blocks'],
  summary: "The campaign's blocked members (leader and helpers)",
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam },
  responses: { 200: jsonResponse(BlockList, 'The blocks, oldest first'), 401: errors[401], 403: errors[403], 404: errors[404] },
});

export function blockRoutes(deps: AppDeps) {
  const { db } = deps;
  return newRouter()
    .openapi(blockRoute, async (c) => {
      const user = requireUser(c);
      const { id } = c.req.valid('param');
      const { userId, cancelEntries } = c.req.valid('json');
      const snapshot = await requireCampaign(db, id);
      await requireBlockManager(db, snapshot, user, cancelEntries);
      if (userId === snapshot.def.leaderId) {
        throw new ValidationError('The leader cannot be blocked', { fields: [{ path: 'body.userId', message: 'is the leader' }] });
      }
      if (!(await getUser(db, userId))) throw new NotFoundError(`No user ${userId}`);
      const { block, cancelledEntryId, cancelledEntryIds } = await blockMemberFromCampaign(deps, snapshot, {
        userId,
        actorId: user.id,
        cancelEntries,
      });
      deps.logger.info('member blocked', { requestId: c.get('requestId'), campaignId: id, userId, cancelledEntryId });
      return c.json({ userId, blockedBy: block.blockedBy, blockedAt: block.blockedAt, cancelledEntryId, cancelledEntryIds }, 201);
    })
    .openapi(unblockRoute, async (c) => {
      const user = requireUser(c);
      const { id, userId } = c.req.valid('param');
      const snapshot = await requireCampaign(db, id);
      await requireBlockManager(db, snapshot, user, false);
      await unblockMember(db, id, userId);
      deps.logger.info('member unblocked', { requestId: c.get('requestId'), campaignId: id, userId });
      return c.body(null, 204);
    })
    .openapi(listRoute, async (c) => {
      const user = requireUser(c);
      const { id } = c.req.valid('param');
      const snapshot = await requireCampaign(db, id);
      await requireBlockManager(db, snapshot, user, false);
      const blocks = await listBlocks(db, id);
      const names = await profileNicknames(
        db,
        blocks.map((b) => b.userId),
      );
      return c.json(
        {
          blocks: blocks.map((b) => ({
            userId: b.userId,
            nickname: names.get(b.userId) ?? '',
            blockedBy: b.blockedBy,
            blockedAt: b.blockedAt,
          })),
        },
        200,
      );
    });
}
