import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { CampaignSnapshot } from '../campaigns/index.js';
import { InvalidStateError, NotFoundError } from '../errors.js';
import { cancelledTransaction, type DbContext, keys, outboxPut } from '../table/index.js';

export interface Arrival {
  campaignId: string;
  pickupPointId: string;
  arrivedAt: string;
  /** the staff member who said so */
  by: string;
  /** true when the goods were already marked arrived: nothing new was recorded or sent */
  repeated: boolean;
}

/**
 * Goods arrived at a pickup point (a staff action, after settlement): the arrival is recorded once,
 * and with it, in the same transaction, the event that tells the point's members to come and pick
 * up. Saying it again answers the first arrival and tells no one twice.
 */
export async function markArrived(db: DbContext, snapshot: CampaignSnapshot, pickupPointId: string, by: string): Promise<Arrival> {
  const { def } = snapshot;
  if (!def.pickupPoints.some((p) => p.id === pickupPointId)) throw new NotFoundError(`No pickup point ${pickupPointId} in this campaign`);
  if (snapshot.settlement?.status !== 'settled' || snapshot.state.status === 'cancelled') {
    throw new InvalidStateError('Goods can arrive only for a settled campaign whose group succeeded', {
      status: snapshot.settlement?.status ?? snapshot.state.status,
    });
  }
  const arrivedAt = db.clock.now().toISOString();
  const key = keys.arrival(def.id, pickupPointId);
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: db.tableName,
              Item: { ...key, type: 'arrival', campaignId: def.id, pickupPointId, arrivedAt, by },
              ConditionExpression: 'attribute_not_exists(pk)',
              // a repeat learns the first arrival from the cancellation itself, with no second read
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          outboxPut(db.tableName, {
            campaignId: def.id,
            eventId: `arrived-${pickupPointId}`,
            event: 'goods-arrived',
            at: arrivedAt,
            pickupPointId,
          }),
        ],
      }),
    );
    return { campaignId: def.id, pickupPointId, arrivedAt, by, repeated: false };
  } catch (err) {
    const reason = cancelledTransaction(err)?.reasons[0];
    if (reason?.code !== 'ConditionalCheckFailed') throw err;
    return {
      campaignId: def.id,
      pickupPointId,
      arrivedAt: String(reason.item?.arrivedAt ?? arrivedAt),
      by: String(reason.item?.by ?? by),
      repeated: true,
    };
  }
}
