import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type CampaignSnapshot, requireCampaign } from '../campaigns/index.js';
import type { CallOff } from '../domain/index.js';
import { ConflictError, InvalidStateError } from '../errors.js';
import type { DbContext } from '../table/index.js';
import { cancelledTransaction, GSI_DUE, isTransientConflict, keys, outboxPut, withRetry } from '../table/index.js';
import { refundPlanPut } from './refund-plan.js';

/** Statuses a campaign can be called off from: published and not called off yet. */
const CALLABLE = ['open', 'closed', 'settled', 'failed'] as const;
type Callable = (typeof CALLABLE)[number];
const isCallable = (status: string): status is Callable => (CALLABLE as readonly string[]).includes(status);

/** The outbox event of a call-off: members hear the group failed (the group-failed template). */
export const CALL_OFF_EVENT_ID = 'called-off';

/**
 * The leader calls the campaign off (open, closed, or settled), once. One transaction, so there is
 * never a half-called-off campaign:
 *  - STATE: status `cancelled` and the call-off (reason, when, by whom, the status it had), under a
 *    condition on the status read: joins, changes, cancels, payments activating a held entry and
 *    settling all condition on the status, so each one after this is refused;
 *  - META leaves the due index (the sweep will not settle it);
 *  - a prepaid campaign gets the refund-plan marker of phase `calloff`: every payment goes back in
 *    full, requested by the caller right after and, whatever crashes, by the sweep from the marker;
 *  - the outbox event that tells the members (group-failed).
 * Every entry is cancelled with it: a called-off campaign's entries cost 0 (the stored lines stay as
 * they were, the list shows them cancelled). A repeat (also 20 at once) answers the stored call-off.
 */
export async function callOffCampaign(
  db: DbContext,
  read: CampaignSnapshot,
  by: string,
  reason: string,
): Promise<{ callOff: CallOff; first: boolean }> {
  let snapshot = read;
  return withRetry(
    async (attempt) => {
      if (attempt > 0) snapshot = await requireCampaign(db, read.def.id);
      const { def, state } = snapshot;
      if (state.status === 'cancelled' && state.callOff) return { callOff: state.callOff, first: false };
      if (!isCallable(state.status))
        throw new InvalidStateError('A draft cannot be called off: it is not published; edit it or leave it', { status: state.status });
      const callOff: CallOff = {
        cancelReason: reason,
        cancelledAt: db.clock.now().toISOString(),
        cancelledBy: by,
        previousStatus: state.status,
      };
      try {
        await db.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: db.tableName,
                  Key: keys.campaignState(def.id),
                  UpdateExpression: 'SET #status = :cancelled, #callOff = :callOff, #version = #version + :one',
                  ConditionExpression: '#status = :was',
                  ExpressionAttributeNames: { '#status': 'status', '#callOff': 'callOff', '#version': 'version' },
                  ExpressionAttributeValues: { ':cancelled': 'cancelled', ':callOff': callOff, ':was': state.status, ':one': 1 },
                },
              },
              {
                Update: {
                  TableName: db.tableName,
                  Key: keys.campaignMeta(def.id),
                  UpdateExpression: 'REMOVE #g2pk, #g2sk',
                  ExpressionAttributeNames: { '#g2pk': GSI_DUE.partitionKey, '#g2sk': GSI_DUE.sortKey },
                },
              },
              ...(def.paymentMode === 'wechatpay' ? [refundPlanPut(db.tableName, def.id, callOff.cancelledAt, 'calloff')] : []),
              outboxPut(db.tableName, { campaignId: def.id, eventId: CALL_OFF_EVENT_ID, event: 'group-failed', at: callOff.cancelledAt }),
            ],
          }),
        );
        return { callOff, first: true };
      } catch (err) {
        // The status moved since it was read (another call-off, a close, a settlement): read again.
        if (cancelledTransaction(err)?.reasons[0]?.code === 'ConditionalCheckFailed') throw new StatusMoved();
        throw err;
      }
    },
    {
      retries: 8,
      retryOn: (err) => err instanceof StatusMoved || isTransientConflict(err),
      onExhausted: () => new ConflictError('The campaign kept changing while it was called off; retry'),
    },
  );
}

class StatusMoved extends Error {}
