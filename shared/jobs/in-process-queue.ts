import type { Logger } from '../logger.js';
import type { WorkOutcome } from './do-work.js';
import type { KindLimits, WorkQueue } from './queue.js';
import { unitKey, WORK_KINDS, type WorkKind, type WorkUnit } from './work.js';

export interface InProcessQueueOptions {
  readonly limits: KindLimits;
  readonly logger: Logger;
  /** tries before a unit is parked as dead (SQS maxReceiveCount) */
  readonly maxAttempts?: number;
  /** wait before try n+1 after a failure */
  readonly retryDelayMs?: (attempt: number) => number;
}

interface Queued {
  unit: WorkUnit;
  key: string;
  attempts: number;
}

/**
 * The queue for `npm start` (and for tests of the queueing itself): the same lanes, limits, retries
 * and dead letters as the SQS queues, in process. Each kind has its own lane and its own worker
 * limit, so a lane stuck on a slow WeChat Pay never holds up another. Nothing survives a restart,
 * which costs nothing: the due-work index still lists every unit, and the next sweep finds it.
 */
export class InProcessWorkQueue implements WorkQueue {
  readonly dead: Array<{ unit: WorkUnit; error: string }> = [];
  readonly done: Array<{ unit: WorkUnit; outcome: WorkOutcome; at: number }> = [];
  private readonly lanes = new Map<WorkKind, Queued[]>(WORK_KINDS.map((k) => [k, []]));
  private readonly running = new Map<WorkKind, number>(WORK_KINDS.map((k) => [k, 0]));
  /** queued, running or waiting to retry: not queued again */
  private readonly known = new Set<string>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private idleWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(
    private readonly work: (unit: WorkUnit) => Promise<WorkOutcome>,
    private readonly opts: InProcessQueueOptions,
  ) {}

  async enqueue(units: readonly WorkUnit[]): Promise<number> {
    let added = 0;
    for (const unit of units) {
      const key = unitKey(unit);
      if (this.known.has(key)) continue;
      this.known.add(key);
      this.lanes.get(unit.kind)!.push({ unit, key, attempts: 0 });
      added++;
    }
    for (const kind of WORK_KINDS) this.pump(kind);
    return added;
  }

  /** Resolves when nothing is queued, running or waiting to retry. */
  idle(): Promise<void> {
    if (this.known.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stop starting work (running units finish); pending retries are dropped (the next sweep finds them). */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  size(kind?: WorkKind): number {
    return kind ? this.lanes.get(kind)!.length + this.running.get(kind)! : this.known.size;
  }

  private pump(kind: WorkKind): void {
    const lane = this.lanes.get(kind)!;
    while (!this.stopped && lane.length > 0 && this.running.get(kind)! < this.opts.limits[kind]) {
      const item = lane.shift()!;
      this.running.set(kind, this.running.get(kind)! + 1);
      void this.run(item).finally(() => {
        this.running.set(kind, this.running.get(kind)! - 1);
        this.pump(kind);
        this.checkIdle();
      });
    }
  }

  private async run(item: Queued): Promise<void> {
    try {
      const outcome = await this.work(item.unit);
      if (outcome.done) {
        this.done.push({ unit: item.unit, outcome, at: Date.now() });
        this.known.delete(item.key);
      } else {
        this.later(item, outcome.retryAfterMs);
      }
    } catch (err) {
      // Only failures count as tries: a deferral (work not due yet) is not one here; in SQS it is a
      // receive, which is why the queues allow more receives than a deferral can use up.
      item.attempts++;
      const maxAttempts = this.opts.maxAttempts ?? 5;
      if (item.attempts >= maxAttempts) {
        this.opts.logger.error('deadline work failed for good (dead letter)', { unit: item.unit, attempts: item.attempts, err });
        this.dead.push({ unit: item.unit, error: err instanceof Error ? err.message : String(err) });
        this.known.delete(item.key);
        return;
      }
      this.opts.logger.warn('deadline work failed; retrying', { unit: item.unit, attempts: item.attempts, err });
      this.later(item, (this.opts.retryDelayMs ?? defaultRetryDelay)(item.attempts));
    }
  }

  /** Back in the lane after `ms` (dropped when stopped: the next sweep finds it again). */
  private later(item: Queued, ms: number): void {
    if (this.stopped) {
      this.known.delete(item.key);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.lanes.get(item.unit.kind)!.push(item);
      this.pump(item.unit.kind);
    }, ms);
    timer.unref?.();
    this.timers.add(timer);
  }

  private checkIdle(): void {
    if (this.known.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

/** 1 s, 2 s, 4 s … capped at a minute (SQS: the visibility timeout plays this part). */
const defaultRetryDelay = (attempt: number) => Math.min(1000 * 2 ** (attempt - 1), 60_000);
