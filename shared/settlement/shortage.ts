import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type CampaignSnapshot, requireCampaign } from '../campaigns/index.js';
import {
  checkShortage,
  type SettlementSummary,
  type Shortage,
  ShortagePlanner,
  type ShortageRequest,
  shortageFingerprint,
  summaryWithShortage,
} from '../domain/index.js';
import { InvalidStateError } from '../errors.js';
import type { DbContext } from '../table/index.js';
import { cancelledTransaction, isTransientConflict, keys, settlementItem, withRetry } from '../table/index.js';
import { refundPlanPut } from './refund-plan.js';
import { settlementEntries } from './settle.js';

/**
 * The leader reports a shortage after a successful settlement (POST …/shortage): fewer units came
 * than were sold. The allocation (fifo or pro-rata, see shared/domain/shortage.ts) is computed in
 * one pass over the frozen list and stored as rules inside the settlement summary, which is
 * rewritten with the delivered quantities and amounts, in one transaction with the refund-plan
 * marker (phase `shortage`) of a prepaid campaign. So every reader (settlement, CSV, pickup list,
 * payments, refunds) sees the shortage from the same write, and no crash can leave it half applied.
 * Once per campaign: the same request again answers the stored result; a different one is 409.
 */
export async function recordShortage(
  db: DbContext,
  read: CampaignSnapshot,
  req: ShortageRequest,
  by: string,
): Promise<{ summary: SettlementSummary; first: boolean }> {
  let snapshot = read;
  return withRetry(
    async (attempt) => {
      if (attempt > 0) snapshot = await requireCampaign(db, read.def.id);
      const summary = snapshot.settlement;
      if (snapshot.state.status === 'cancelled')
        throw new InvalidStateError('The campaign was called off: everything is refunded, there is no shortage to share', {
          status: 'cancelled',
        });
      if (!summary)
        throw new InvalidStateError('Settle the campaign first: a shortage is reported after settling', { status: snapshot.state.status });
      if (summary.status !== 'settled')
        throw new InvalidStateError('The group failed: nothing is handed out, so there is no shortage', { status: summary.status });
      if (summary.shortage) return { summary, first: false, ...sameOrConflict(summary.shortage, req) };
      const short = checkShortage(new Map(summary.items.map((i) => [i.itemId, i.quantity])), req);
      const planner = new ShortagePlanner(req.allocation, short);
      for await (const line of settlementEntries(db, summary)) planner.add(line);
      const recordedAt = db.clock.now().toISOString();
      const shortage: Shortage = { items: req.items, allocation: req.allocation, rules: planner.rules(), recordedAt, recordedBy: by };
      const next = summaryWithShortage(summary, shortage);
      try {
        await db.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: db.tableName,
                  Item: settlementItem.toItem(keys.settlement(summary.campaignId), next),
                  ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(shortage)',
                },
              },
              // Not called off meanwhile: a call-off refunds everything, and must not be undercut.
              {
                ConditionCheck: {
                  TableName: db.tableName,
                  Key: keys.campaignState(summary.campaignId),
                  ConditionExpression: '#status = :settled',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':settled': 'settled' },
                },
              },
              ...(snapshot.def.paymentMode === 'wechatpay'
                ? [refundPlanPut(db.tableName, summary.campaignId, recordedAt, 'shortage')]
                : []),
            ],
          }),
        );
        return { summary: next, first: true };
      } catch (err) {
        // A concurrent shortage (or call-off) landed first: read again and answer from it.
        if (cancelledTransaction(err)?.reasons.some((r) => r.code === 'ConditionalCheckFailed')) throw new Moved();
        throw err;
      }
    },
    { retries: 4, retryOn: (err) => err instanceof Moved || isTransientConflict(err) },
  );
}

class Moved extends Error {}

/** A repeat of the stored shortage is answered with it; any other shortage would amend it: 409. */
function sameOrConflict(stored: Shortage, req: ShortageRequest): Record<string, never> {
  if (shortageFingerprint(stored) === shortageFingerprint(req)) return {};
  throw new InvalidStateError('A different shortage is already recorded for this campaign; it is recorded once', {
    shortage: { items: stored.items, allocation: stored.allocation, recordedAt: stored.recordedAt },
  });
}
