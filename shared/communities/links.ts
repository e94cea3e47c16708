import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DbContext, TransactItem } from '../table/index.js';
import { decodeCursor, encodeCursor, keys } from '../table/index.js';

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
  const pk = keys.communityPartition(communityId);
  const prefix = keys.communityCampaignPrefix();
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, { pk, skPrefix: prefix }),
    }),
  );
  return {
    links: (out.Items ?? []).map((i) => ({
      campaignId: i.campaignId as string,
      leaderId: i.leaderId as string,
      createdAt: i.createdAt as string,
    })),
    nextCursor: encodeCursor(out.LastEvaluatedKey),
  };
}
