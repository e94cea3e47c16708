import { getCampaign } from '../campaigns/index.js';
import type { Logger } from '../logger.js';
import { deliverEvent, type Messaging } from '../messages/index.js';
import type { Metrics } from '../metrics.js';
import type { Money } from '../money/index.js';
import { foldCampaign } from '../numbers/index.js';
import { eraseUser } from '../privacy/index.js';
import { settleCampaign } from '../settlement/index.js';
import { batchGetAll, type DbContext, entryIds, keys } from '../table/index.js';
import { settlePointHolds } from '../use-cases/index.js';
import type { WorkUnit } from './work.js';

export interface WorkContext {
  readonly db: DbContext;
  readonly money: Money;
  readonly logger: Logger;
  /** subscribe messages; absent or null: events are closed with nothing sent */
  readonly messaging?: Messaging | null;
  readonly metrics?: Metrics;
}

/**
 * How long after its deadline a prepaid campaign's settlement waits for holds that the same sweep
 * found ending: a payment made just before the deadline whose notification is late is then counted
 * (the hold's order query finds it), not refunded. After this the campaign settles anyway (WeChat
 * Pay down): a payment found later is refunded in full, never kept.
 */
export const SETTLE_HOLD_GRACE_MS = 2 * 60_000;
/**
 * How soon a settlement waiting for holds looks again: half the time since the deadline, between 5
 * and 30 s. Early looks are quick (a healthy hold ends in well under a second), later ones sparse,
 * so the whole grace uses at most eight receives of its SQS message (MAX_RECEIVES allows ten).
 */
export const settleRecheckMs = (sinceDeadlineMs: number) => Math.min(30_000, Math.max(5_000, Math.round(sinceDeadlineMs / 2)));

export type WorkResult =
  | 'settled'
  | 'failed-group'
  | 'already-settled'
  | 'gone'
  | 'paid'
  | 'expired'
  | 'not-held'
  | 'complete'
  | 'partial'
  | 'tried'
  | 'nothing'
  | 'erased'
  | 'delivered'
  | 'folded';

/** Done (the message can go), or not yet: put it back for `retryAfterMs` (not a failure). */
export type WorkOutcome = { done: true; result: WorkResult } | { done: false; retryAfterMs: number; reason: string };

/**
 * Do one unit of deadline work, idempotently: every unit can arrive twice, late, or at the same
 * time as its twin (at-least-once queues, overlapping sweeps), and each step below is a
 * conditional write that a repeat finds already done. Errors are thrown: the queue retries the
 * unit with backoff and parks it in the dead-letter queue after the last try.
 */
export async function doWork(ctx: WorkContext, unit: WorkUnit): Promise<WorkOutcome> {
  const { db, money } = ctx;
  switch (unit.kind) {
    case 'settle': {
      const snapshot = await getCampaign(db, unit.campaignId);
      if (!snapshot) return { done: true, result: 'gone' };
      if (snapshot.settlement) return { done: true, result: 'already-settled' };
      // Called off before its deadline (a unit queued just before): nothing to settle.
      if (snapshot.state.status === 'cancelled') return { done: true, result: 'gone' };
      const waiting = await holdsStillOpen(ctx, unit);
      const sinceDeadline = db.clock.now().getTime() - Date.parse(snapshot.def.closesAt);
      if (waiting > 0 && sinceDeadline < SETTLE_HOLD_GRACE_MS)
        return { done: false, retryAfterMs: settleRecheckMs(sinceDeadline), reason: `${waiting} hold(s) of this campaign still ending` };
      const summary = await settleCampaign(db, unit.campaignId, snapshot);
      // Points reserved on entries: what the discount does not use goes back (idempotent; one Query when none).
      await settlePointHolds(db, unit.campaignId);
      ctx.logger.info('campaign settled by deadline work', {
        campaignId: unit.campaignId,
        status: summary.status,
        entryCount: summary.entryCount,
        total: summary.total,
      });
      // Prepaid: the settle transaction wrote the refund plan; the next sweep hands it to the refund queue.
      return { done: true, result: summary.status === 'failed' ? 'failed-group' : 'settled' };
    }
    case 'hold':
      return { done: true, result: await money.endDueHold(unit.campaignId, unit.entryId) };
    case 'refund-plan':
      return { done: true, result: (await money.continueRefundPlan(unit.campaignId)) ? 'complete' : 'partial' };
    case 'refund':
      return { done: true, result: (await money.retryDueRefund(unit.campaignId, unit.outRefundNo)) ? 'tried' : 'nothing' };
    case 'erasure': {
      const report = await eraseUser(db, unit.userId, { recheck: false });
      ctx.logger.info('erasure finished by deadline work', { userId: unit.userId, ...report });
      return { done: true, result: 'erased' };
    }
    case 'fold': {
      const report = await foldCampaign(db, unit.campaignId);
      ctx.logger.info('campaign folded into the member book and numbers', { campaignId: unit.campaignId, ...report });
      return { done: true, result: 'folded' };
    }
    case 'message': {
      const outcome = await deliverEvent(ctx, unit.campaignId, unit.eventId);
      return outcome.done
        ? { done: true, result: 'delivered' }
        : { done: false, retryAfterMs: outcome.retryAfterMs, reason: outcome.reason };
    }
  }
}

/** Of the holds the finder saw ending with this campaign, how many are still waiting for their payment (one BatchGet). */
async function holdsStillOpen(ctx: WorkContext, unit: Extract<WorkUnit, { kind: 'settle' }>): Promise<number> {
  const seqs = (unit.holds ?? []).map((id) => entryIds.parse(id)?.seq).filter((seq) => seq !== undefined);
  if (seqs.length === 0) return 0;
  const lines = await batchGetAll(
    ctx.db,
    seqs.map((seq) => keys.entry(unit.campaignId, seq)),
    { consistent: true, projection: '#status', names: { '#status': 'status' } },
  );
  return lines.filter((line) => line.status === 'pending_payment').length;
}
