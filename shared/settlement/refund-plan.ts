import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { CampaignSnapshot } from '../campaigns/index.js';
import { conditionFailure, type DbContext, indexKeys, keys, type TransactItem } from '../table/index.js';

/**
 * What last changed what a campaign's entries finally cost, and so which refunds are owed now:
 * the settlement (退差价, a failed group), a shortage reported after it, or the call-off (everything
 * back). The phases only move forward (settle → shortage → calloff), and each names the refunds of
 * its pass (out_refund_no is derived from it), so a later phase never finds an earlier one's refunds
 * and takes them for its own.
 */
export type RefundPhase = 'settle' | 'shortage' | 'calloff';

export function refundPhase(snapshot: Pick<CampaignSnapshot, 'state' | 'settlement'>): RefundPhase {
  if (snapshot.state.status === 'cancelled') return 'calloff';
  return snapshot.settlement?.shortage ? 'shortage' : 'settle';
}

/**
 * Pure: the marker that a prepaid campaign still owes refunds (gsi2 REFUND_PLAN). Written in the
 * transaction of the change itself (settle, shortage, call-off), so no crash between the change and
 * scheduling can lose the refunds; the sweep works through it and deletes it when a pass completes.
 * A later phase's Put replaces an earlier marker.
 */
export function refundPlanPut(tableName: string, campaignId: string, at: string, phase: RefundPhase = 'settle'): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...keys.refundPlan(campaignId),
        ...indexKeys.refundPlan(at, campaignId),
        type: 'refund-plan',
        campaignId,
        settledAt: at,
        phase,
      },
    },
  };
}

/**
 * Every refund of `phase` is requested: the sweep need not look again. Only that phase's marker is
 * deleted (markers written before phases existed are settle ones): a pass that finished with the
 * old costs must not delete the marker a call-off or shortage wrote meanwhile.
 */
export async function deleteRefundPlan(db: DbContext, campaignId: string, phase: RefundPhase = 'settle'): Promise<void> {
  try {
    await db.doc.send(
      new DeleteCommand({
        TableName: db.tableName,
        Key: keys.refundPlan(campaignId),
        ConditionExpression: phase === 'settle' ? 'attribute_not_exists(#phase) OR #phase = :phase' : '#phase = :phase',
        ExpressionAttributeNames: { '#phase': 'phase' },
        ExpressionAttributeValues: { ':phase': phase },
      }),
    );
  } catch (err) {
    // Gone already, or another phase's marker: that one stays for its own pass.
    if (!conditionFailure(err)) throw err;
  }
}
