import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Logger } from '../logger.js';
import type { WorkOutcome } from './do-work.js';
import { parseWorkUnit, type WorkUnit } from './work.js';

/** Messages of one batch worked on at once (the batch is at most 10). */
const BATCH_CONCURRENCY = 5;

export interface BatchDeps {
  readonly work: (unit: WorkUnit) => Promise<WorkOutcome>;
  /** ChangeMessageVisibility: when a unit not due yet comes back */
  readonly retryAfter: (receiptHandle: string, seconds: number) => Promise<void>;
  readonly logger: Logger;
}

/**
 * An SQS batch for the worker Lambda: each message is one unit; the answer reports partial batch
 * failures (ReportBatchItemFailures), so one failing unit does not send its nine neighbours round
 * again. A unit that is not due yet is put back with its own delay. A body we cannot read is a
 * failure too: after the queue's last receive it waits in the dead-letter queue for a person.
 */
export async function workSqsBatch(event: SQSEvent, deps: BatchDeps): Promise<SQSBatchResponse> {
  const failures: string[] = [];
  const records = event.Records;
  for (let i = 0; i < records.length; i += BATCH_CONCURRENCY) {
    await Promise.all(
      records.slice(i, i + BATCH_CONCURRENCY).map(async (record) => {
        const unit = parseWorkUnit(record.body);
        if (!unit) {
          deps.logger.error('deadline work: unreadable message', { messageId: record.messageId });
          failures.push(record.messageId);
          return;
        }
        try {
          const outcome = await deps.work(unit);
          if (outcome.done) return;
          await deps.retryAfter(record.receiptHandle, Math.ceil(outcome.retryAfterMs / 1000));
          deps.logger.info('deadline work not due yet', { unit, reason: outcome.reason });
        } catch (err) {
          deps.logger.error('deadline work failed', {
            unit,
            messageId: record.messageId,
            receiveCount: record.attributes.ApproximateReceiveCount,
            err,
          });
        }
        failures.push(record.messageId);
      }),
    );
  }
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}
