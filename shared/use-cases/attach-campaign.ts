import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type CampaignSnapshot, listHelpers, requireCampaign } from '../campaigns/index.js';
import { addToTeam, type Community, campaignLinkPut, publisherCheck } from '../communities/index.js';
import { ForbiddenError, InvalidStateError } from '../errors.js';
import { cancelledTransaction, keys } from '../table/index.js';
import type { UseCaseContext } from './context.js';

export interface AttachOutcome {
  snapshot: CampaignSnapshot;
  /** the campaign's helpers put on the community's team by this move */
  helpersMoved: string[];
}

/**
 * POST /communities/{id}/campaigns: a campaign its leader leads moves into the community. One
 * transaction sets the campaign's community (only if it has none), adds the community's link to it
 * and checks the leader still may publish there. Then the migration path for 团长助手: each helper of
 * the campaign joins the community's team as a helper (a campaign's own helpers keep their rights
 * too). Moving a campaign already there is a no-op; one of another community is 409.
 */
export async function attachCampaign(
  ctx: UseCaseContext,
  community: Community,
  snapshot: CampaignSnapshot,
  actorId: string,
): Promise<AttachOutcome> {
  const { db } = ctx;
  const { def } = snapshot;
  if (def.leaderId !== actorId) throw new ForbiddenError('Only the leader of the campaign can move it into a community');
  if (def.communityId && def.communityId !== community.id) {
    throw new InvalidStateError('The campaign is already published into another community', { communityId: def.communityId });
  }
  if (!def.communityId) {
    try {
      await db.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: db.tableName,
                Key: keys.campaignMeta(def.id),
                UpdateExpression: 'SET communityId = :cid',
                ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(communityId)',
                ExpressionAttributeValues: { ':cid': community.id },
              },
            },
            campaignLinkPut(db, community.id, { campaignId: def.id, leaderId: def.leaderId, createdAt: def.createdAt }),
            publisherCheck(db, community.id, actorId),
          ],
        }),
      );
    } catch (err) {
      const reasons = cancelledTransaction(err)?.reasons;
      if (reasons?.[0]?.code === 'ConditionalCheckFailed') {
        const now = await requireCampaign(db, def.id);
        if (now.def.communityId !== community.id)
          throw new InvalidStateError('The campaign was just published into another community', {
            communityId: now.def.communityId ?? null,
          });
      } else if (reasons?.[2]?.code === 'ConditionalCheckFailed') {
        throw new ForbiddenError(`Only the owner or an admin of community ${community.id} can publish campaigns into it`);
      } else if (reasons?.[1]?.code !== 'ConditionalCheckFailed') throw err;
    }
  }
  const helpers = await listHelpers(db, def.id);
  const moved: string[] = [];
  for (const helper of helpers) {
    const added = await addToTeam(db, community, { id: helper.userId, nickname: helper.nickname }, 'helper', actorId);
    if (added) moved.push(helper.userId);
  }
  const after = await requireCampaign(db, def.id);
  db.cache?.put(after);
  return { snapshot: after, helpersMoved: moved };
}
