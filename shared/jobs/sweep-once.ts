import type { Logger } from '../logger.js';
import { type MessageSchedule, type Messaging, messageSchedule, type ScheduledEvents, writeScheduledEvents } from '../messages/index.js';
import type { Money } from '../money/index.js';
import type { DbContext } from '../table/index.js';
import { doWork, type WorkOutcome } from './do-work.js';
import { findDueWork } from './find-due.js';
import type { WorkQueue } from './queue.js';
import { WORK_KINDS, type WorkKind, type WorkUnit } from './work.js';

/** Units per kind per sweep: enough for a city's 20:00; the rest waits a minute for the next sweep. */
export const SWEEP_LIMIT_PER_KIND = 5_000;

/** Holds first, so that a settlement that waits for them finds them already under way. */
const ORDER: readonly WorkKind[] = ['hold', 'settle', 'refund-plan', 'refund', 'erasure', 'message', 'fold'];

/**
 * The scheduled step (every minute in the cloud, every 30 s under `npm start`): find what is due
 * and hand it to the queue. It does no work itself, so no kind of work can starve another here.
 */
export async function sweepDueWork(
  db: DbContext,
  money: Money,
  queue: WorkQueue,
  limitPerKind = SWEEP_LIMIT_PER_KIND,
  schedule: MessageSchedule | null = null,
): Promise<Record<WorkKind, number>> {
  const now = db.clock.now();
  const found = await findDueWork(db, now, { money: money.wechatPay !== null, limitPerKind });
  const counts = {} as Record<WorkKind, number>;
  for (const kind of WORK_KINDS) counts[kind] = found[kind].length;
  await queue.enqueue(ORDER.flatMap((kind): WorkUnit[] => found[kind]));
  // After the deadline work is handed over, so a failure here never holds up a settlement; the
  // events written are found (as outbox work) by the next sweep, well within a reminder's lead.
  if (schedule) await writeScheduledEvents(db, now, schedule, limitPerKind);
  return counts;
}

export interface SweepReport {
  settled: string[];
  failed: Array<{ campaignId: string; error: string }>;
  /** settlements waiting for their holds (within the grace) */
  deferred: string[];
  /** users whose erasure (DELETE /me) was finished or re-checked, when there were any */
  erasures?: string[];
  /** present when WeChat Pay is configured */
  payments?: { holdsEnded: number; refundPlansDone: number; refundsTried: number; failures: number };
  /** message events the sweep itself wrote (hold reminders, leader digests), when there were any */
  scheduled?: ScheduledEvents;
  /** settled campaigns folded into their community's member book and numbers, when there were any */
  folded?: string[];
  /** outbox events (subscribe messages) worked: delivered, or put back for a retry round */
  messages?: { delivered: number; retrying: number; failures: number };
}

/**
 * One sweep with its work done before returning, kind after kind (holds, settlements, then refund
 * passes and refunds): what tests and scripts call to reach a known state. Production runs the same finder
 * and the same doWork through queues instead (sweepDueWork + a worker).
 */
export async function sweepAndWork(
  db: DbContext,
  logger: Logger,
  money: Money,
  limitPerKind = 100,
  messaging: Messaging | null = null,
): Promise<SweepReport> {
  const report: SweepReport = { settled: [], failed: [], deferred: [] };
  const payments = { holdsEnded: 0, refundPlansDone: 0, refundsTried: 0, failures: 0 };
  const messages = { delivered: 0, retrying: 0, failures: 0 };
  const ctx = { db, logger, money, messaging };
  const find = () => findDueWork(db, db.clock.now(), { money: money.wechatPay !== null, limitPerKind });
  const work = async (units: readonly WorkUnit[]) => {
    for (const unit of units) {
      let outcome: WorkOutcome;
      try {
        outcome = await doWork(ctx, unit);
      } catch (err) {
        logger.error('deadline work failed', { unit, err });
        if (unit.kind === 'settle')
          report.failed.push({ campaignId: unit.campaignId, error: err instanceof Error ? err.message : String(err) });
        else if (unit.kind === 'message') messages.failures++;
        else if (unit.kind !== 'erasure' && unit.kind !== 'fold') payments.failures++;
        continue;
      }
      if (unit.kind === 'message') {
        if (outcome.done) messages.delivered++;
        else messages.retrying++;
        continue;
      }
      tally(unit, outcome, report, payments);
    }
  };
  const first = await find();
  await work([...first.hold, ...first.settle]);
  // Found again after settling: the refund plans those settlements just wrote are done in the same sweep.
  const second = await find();
  await work([...second['refund-plan'], ...second.refund, ...second.erasure, ...second.fold]);
  // Last: the events the work above wrote (settlements, refunds that arrived) tell their members,
  // with the sweep's own (reminders of holds ending soon, leader digests).
  if (messaging) {
    const schedule = messaging.schedule ?? messageSchedule(messaging.templates);
    const scheduled = await writeScheduledEvents(db, db.clock.now(), schedule, limitPerKind);
    if (scheduled.holdReminders + scheduled.digests > 0) report.scheduled = scheduled;
  }
  const third = await find();
  await work(third.message);
  if (money.wechatPay) report.payments = payments;
  if (messages.delivered + messages.retrying + messages.failures > 0) report.messages = messages;
  return report;
}

function tally(unit: WorkUnit, outcome: WorkOutcome, report: SweepReport, payments: NonNullable<SweepReport['payments']>): void {
  if (unit.kind === 'fold') {
    if (outcome.done) report.folded = [...(report.folded ?? []), unit.campaignId];
    return;
  }
  if (unit.kind === 'erasure') {
    if (outcome.done) report.erasures = [...(report.erasures ?? []), unit.userId];
    return;
  }
  if (!outcome.done) {
    report.deferred.push(unit.campaignId);
    return;
  }
  if (unit.kind === 'settle' && outcome.result !== 'gone') report.settled.push(unit.campaignId);
  if (unit.kind === 'hold') payments.holdsEnded++;
  if (unit.kind === 'refund-plan' && outcome.result === 'complete') payments.refundPlansDone++;
  if (unit.kind === 'refund' && outcome.result === 'tried') payments.refundsTried++;
}
