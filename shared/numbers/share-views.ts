import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { shanghaiDay } from '../domain/index.js';
import type { DbContext } from '../table/index.js';
import { keys } from '../table/index.js';
import { ATTR } from './updates.js';

/**
 * A share page (GET /s/{code} in a browser) was served: ONE UpdateItem ADDing to the campaign's
 * total and to the day's counter on its NUMBERS item (no read, no condition, ~1 WCU). The fold
 * moves the views so far into the community's days. Pages a shared cache answers (5 s) are not
 * counted: views are a floor, not an exact count.
 */
export async function countShareView(db: DbContext, campaignId: string): Promise<void> {
  const day = shanghaiDay(db.clock.now());
  await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: keys.campaignNumbers(campaignId),
      UpdateExpression: 'SET #type = if_not_exists(#type, :type), campaignId = if_not_exists(campaignId, :c) ADD #views :one, #day :one',
      ExpressionAttributeNames: { '#type': 'type', '#views': 'views', '#day': `${ATTR.viewsOn}${day}` },
      ExpressionAttributeValues: { ':type': 'campaignNumbers', ':c': campaignId, ':one': 1 },
    }),
  );
}
