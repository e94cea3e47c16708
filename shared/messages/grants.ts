import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DbContext } from '../table/index.js';
import { keys } from '../table/index.js';

/** A grant not tied to a campaign: any campaign's message may use it. */
export const ANY_CAMPAIGN = '*';

export interface Grant {
  templateId: string;
  /** a campaign id, or '*' */
  scope: string;
  /** one-time grants not yet used */
  count: number;
}

/**
 * Record one accepted one-time grant per template id (wx.requestSubscribeMessage answered `accept`).
 * Grants add up (WeChat keeps one per acceptance), so a report is an ADD, in one transaction for
 * all ids. A report made twice over-counts: the extra send then meets 43101 and consumes nothing.
 */
export async function addGrants(db: DbContext, userId: string, templateIds: readonly string[], campaignId?: string): Promise<Grant[]> {
  const scope = campaignId ?? ANY_CAMPAIGN;
  const now = db.clock.now().toISOString();
  await db.doc.send(
    new TransactWriteCommand({
      TransactItems: [...new Set(templateIds)].map((templateId) => ({
        Update: {
          TableName: db.tableName,
          Key: keys.grant(userId, templateId, scope),
          UpdateExpression: 'SET #type = :type, #templateId = :t, #scope = :scope, #updatedAt = :now ADD #count :one',
          ExpressionAttributeNames: {
            '#type': 'type',
            '#templateId': 'templateId',
            '#scope': 'scope',
            '#updatedAt': 'updatedAt',
            '#count': 'count',
          },
          ExpressionAttributeValues: { ':type': 'grant', ':t': templateId, ':scope': scope, ':now': now, ':one': 1 },
        },
      })),
    }),
  );
  return listGrants(db, userId);
}

/** The user's grants left (one Query of their partition's GRANT# items). */
export async function listGrants(db: DbContext, userId: string): Promise<Grant[]> {
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.userPartition(userId), ':prefix': keys.grantPrefix() },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []).map((i) => ({ templateId: String(i.templateId), scope: String(i.scope), count: Number(i.count ?? 0) }));
}
