import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DbContext } from './context.js';

/**
 * Every item a Query matches, page after page (DynamoDB stops each page at 1 MB or `Limit`).
 * For reads that need the whole set: a campaign's helpers, refunds, payments or claims.
 */
export async function* queryAll(
  db: DbContext,
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
): AsyncGenerator<Record<string, unknown>> {
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.doc.send(new QueryCommand({ ...input, TableName: db.tableName, ExclusiveStartKey: start }));
    yield* out.Items ?? [];
    start = out.LastEvaluatedKey;
  } while (start);
}

/** The items of one campaign whose sort keys start with `prefix`, strongly consistent. */
export function queryCampaignPrefix(db: DbContext, campaignPk: string, prefix: string): AsyncGenerator<Record<string, unknown>> {
  return queryAll(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': campaignPk, ':prefix': prefix },
    ConsistentRead: true,
  });
}
