import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DbContext } from './context.js';
import { GSI_DUE } from './schema.js';

/**
 * gsi2 is the "things due" index: each partition is a timeline whose sort keys are
 * `<time>#<campaignId>[#<id>]`: campaigns to settle (OPEN, by closesAt), prepaid holds ending
 * (HOLD), refunds to try (REFUND_DUE), settlement refund passes to finish (REFUND_PLAN). This
 * lists what is due at or before `now`, oldest first; '~' sorts after every id character, so a
 * time equal to `now` is included.
 */
export async function listDue(
  db: DbContext,
  partition: string,
  now: string,
  limit: number,
): Promise<Array<{ campaignId: string; id: string }>> {
  return (await listDueItems(db, partition, { to: now }, limit)).map((item) => {
    const [, campaignId, ...rest] = String(item[GSI_DUE.sortKey]).split('#');
    return { campaignId: campaignId!, id: rest.join('#') };
  });
}

/**
 * The items of a timeline whose time lies in [from, to] (both included), oldest first, up to
 * `limit`: where a sweep looks ahead (holds ending within a reminder's lead) or needs the due
 * item's own attributes (gsi2 projects them all).
 */
export async function listDueItems(
  db: DbContext,
  partition: string,
  range: { from?: string; to: string },
  limit: number,
): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        IndexName: GSI_DUE.name,
        KeyConditionExpression: range.from ? '#pk = :pk AND #sk BETWEEN :from AND :to' : '#pk = :pk AND #sk <= :to',
        ExpressionAttributeNames: { '#pk': GSI_DUE.partitionKey, '#sk': GSI_DUE.sortKey },
        ExpressionAttributeValues: { ':pk': partition, ':to': `${range.to}#~`, ...(range.from ? { ':from': range.from } : {}) },
        Limit: limit - out.length,
        ExclusiveStartKey: start,
      }),
    );
    out.push(...(res.Items ?? []));
    start = res.LastEvaluatedKey;
  } while (start && out.length < limit);
  return out;
}
