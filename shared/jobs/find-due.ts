import type { DbContext } from '../table/index.js';
import { indexKeys, listDue } from '../table/index.js';
import { MAX_HOLDS_IN_SETTLE_UNIT, type WorkKind, type WorkUnit } from './work.js';

/** Due units by kind, each list typed as its kind's unit. */
export type DueWork = { [K in WorkKind]: Array<Extract<WorkUnit, { kind: K }>> };

export interface FindOptions {
  /** look for holds and refunds too (WeChat Pay configured) */
  readonly money: boolean;
  /** at most this many units of each kind per sweep; the rest is found by the next one */
  readonly limitPerKind: number;
}

/**
 * Everything due at `now`, read from the due-work index (gsi2, one timeline per kind) and nothing
 * else: the finder does no work itself, so it takes the same few hundred ms whether WeChat Pay is
 * healthy or down and however many campaigns close this minute. A settle unit carries the ids of
 * its campaign's holds found ending in the same sweep (see doWork's grace). Hold reminders and
 * leader digests are read from the same index (HOLD a lead ahead, DIGEST) by the sweep's
 * writeScheduledEvents (shared/messages), which turns them into outbox events found here.
 */
export async function findDueWork(db: DbContext, now: Date, opts: FindOptions): Promise<DueWork> {
  const at = now.toISOString();
  const none = async () => [] as Array<{ campaignId: string; id: string }>;
  const [open, holds, plans, refunds, erasures, outbox, folds] = await Promise.all([
    listDue(db, indexKeys.openPartition, at, opts.limitPerKind),
    opts.money ? listDue(db, indexKeys.holdPartition, at, opts.limitPerKind) : none(),
    opts.money ? listDue(db, indexKeys.refundPlanPartition, at, opts.limitPerKind) : none(),
    opts.money ? listDue(db, indexKeys.refundDuePartition, at, opts.limitPerKind) : none(),
    // the due index keeps the user id where the other timelines keep a campaign id
    listDue(db, indexKeys.erasurePartition, at, opts.limitPerKind),
    // events are written whether or not templates are configured: the worker closes those quickly
    listDue(db, indexKeys.outboxPartition, at, opts.limitPerKind),
    // settled campaigns of communities whose member book and numbers are still to be added to
    listDue(db, indexKeys.foldPartition, at, opts.limitPerKind),
  ]);
  const holdsByCampaign = new Map<string, string[]>();
  for (const { campaignId, id } of holds) {
    const list = holdsByCampaign.get(campaignId) ?? [];
    list.push(id);
    holdsByCampaign.set(campaignId, list);
  }
  return {
    settle: open.map(({ campaignId }) => {
      const campaignHolds = holdsByCampaign.get(campaignId);
      return campaignHolds
        ? { kind: 'settle' as const, campaignId, holds: campaignHolds.slice(0, MAX_HOLDS_IN_SETTLE_UNIT) }
        : { kind: 'settle' as const, campaignId };
    }),
    hold: holds.map(({ campaignId, id }) => ({ kind: 'hold' as const, campaignId, entryId: id })),
    'refund-plan': plans.map(({ campaignId }) => ({ kind: 'refund-plan' as const, campaignId })),
    refund: refunds.map(({ campaignId, id }) => ({ kind: 'refund' as const, campaignId, outRefundNo: id })),
    erasure: erasures.map(({ campaignId: userId }) => ({ kind: 'erasure' as const, userId })),
    message: outbox.map(({ campaignId, id }) => ({ kind: 'message' as const, campaignId, eventId: id })),
    fold: folds.map(({ campaignId }) => ({ kind: 'fold' as const, campaignId })),
  };
}
