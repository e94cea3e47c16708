import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DbContext } from './context.js';
import { decodeCursor, encodeCursor } from './cursor.js';

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

/**
 * One page of the items of partition `pk` whose sort keys start with `prefix` (newest first
 * unless `newestFirst` is false), with the cursor for the next page; a cursor from another list
 * or partition is refused (400) before anything is sent.
 */
export async function queryPrefixPage(
  db: DbContext,
  opts: { pk: string; prefix: string; limit: number; cursor?: string | null | undefined; newestFirst?: boolean },
): Promise<{ items: Record<string, unknown>[]; nextCursor: string | null }> {
  const { pk, prefix } = opts;
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
      ScanIndexForward: !(opts.newestFirst ?? true),
      Limit: opts.limit,
      ExclusiveStartKey: decodeCursor(opts.cursor, { pk, skPrefix: prefix }),
    }),
  );
  return { items: out.Items ?? [], nextCursor: encodeCursor(out.LastEvaluatedKey) };
}
