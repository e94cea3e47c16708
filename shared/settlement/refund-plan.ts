import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { type DbContext, indexKeys, keys, type TransactItem } from '../table/index.js';

/**
 * Pure: the marker that a settled prepaid campaign still owes settlement refunds (gsi2
 * REFUND_PLAN). Written in the settle transaction itself, so no crash between settling and
 * scheduling can lose the refunds; the sweep works through it and deletes it when a pass completes.
 */
export function refundPlanPut(tableName: string, campaignId: string, settledAt: string): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: { ...keys.refundPlan(campaignId), ...indexKeys.refundPlan(settledAt, campaignId), type: 'refund-plan', campaignId, settledAt },
    },
  };
}

/** Every settlement refund of the campaign is requested: the sweep need not look again. */
export async function deleteRefundPlan(db: DbContext, campaignId: string): Promise<void> {
  await db.doc.send(new DeleteCommand({ TableName: db.tableName, Key: keys.refundPlan(campaignId) }));
}
