import type { DbContext, TransactItem } from '../table/index.js';
import { keys, queryPrefixPage } from '../table/index.js';

/**
 * The campaigns published into a community: one small item each in the community's partition,
 * written in the transaction that publishes the campaign there (creation or attach), so the
 * community page lists them with one Query, newest first. Ids only: titles and status are read
 * from the campaigns themselves, so an edit never leaves a stale copy here.
 */
export interface CampaignLink {
  campaignId: string;
  leaderId: string;
  createdAt: string;
}

export function campaignLinkPut(db: DbContext, communityId: string, link: CampaignLink): TransactItem {
  return {
    Put: {
      TableName: db.tableName,
      Item: { ...keys.communityCampaign(communityId, link.createdAt, link.campaignId), type: 'communityCampaign', communityId, ...link },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

export async function listCampaignLinks(
  db: DbContext,
  communityId: string,
  limit: number,
  cursor?: string,
): Promise<{ links: CampaignLink[]; nextCursor: string | null }> {
  const page = await queryPrefixPage(db, {
    pk: keys.communityPartition(communityId),
    prefix: keys.communityCampaignPrefix(),
    limit,
    cursor,
  });
  return {
    links: page.items.map((i) => ({
      campaignId: i.campaignId as string,
      leaderId: i.leaderId as string,
      createdAt: i.createdAt as string,
    })),
    nextCursor: page.nextCursor,
  };
}
