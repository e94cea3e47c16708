import type { WorkKind, WorkUnit } from './work.js';

/**
 * Where the finder hands due work: one lane per kind. In the cloud, SQS FIFO queues (sqs-queue.ts);
 * under `npm start`, in process (in-process-queue.ts) around the very same doWork.
 */
export interface WorkQueue {
  /** Hand over units; a unit still queued (same unitKey) is not queued twice. Returns how many were handed over. */
  enqueue(units: readonly WorkUnit[]): Promise<number>;
}

/** Workers per kind at once: settling and folding are DynamoDB only; the money kinds wait on WeChat Pay. */
export type KindLimits = Readonly<Record<WorkKind, number>>;

/**
 * The cloud's defaults (SQS event source maximumConcurrency per queue), mirrored in process.
 * Settling is cheap and what most leaders wait for at 20:00; WeChat Pay calls are throttled by
 * WeChat itself (FREQUENCY_LIMITED), so those lanes stay narrow.
 */
export const DEFAULT_KIND_LIMITS: KindLimits = { settle: 20, hold: 5, 'refund-plan': 2, refund: 5, erasure: 2, message: 5, fold: 5 };
