import { createHash } from 'node:crypto';
import { SendMessageBatchCommand, type SendMessageBatchCommandInput, type SQSClient } from '@aws-sdk/client-sqs';
import type { WorkQueue } from './queue.js';
import { unitKey, type WorkKind, type WorkUnit } from './work.js';

/** SendMessageBatch takes at most 10 messages. */
const SQS_BATCH = 10;
/** Batches in flight at once: 5,000 units are 500 calls, a second or two at this width. */
const SEND_CONCURRENCY = 8;

export type QueueUrls = Readonly<Record<WorkKind, string>>;

/**
 * The SendMessageBatch inputs for a set of units: one FIFO queue per kind; each unit is its own
 * message group (no unit waits behind another) and its key is the deduplication id, so a unit the
 * finder sees again within SQS's five-minute deduplication window (still queued, or being worked
 * on) is not queued twice. A unit still due after that is sent again: that is the retry of last resort.
 */
export function sendBatchInputs(units: readonly WorkUnit[], urls: QueueUrls): SendMessageBatchCommandInput[] {
  const byKind = new Map<WorkKind, WorkUnit[]>();
  for (const unit of units) byKind.set(unit.kind, [...(byKind.get(unit.kind) ?? []), unit]);
  const inputs: SendMessageBatchCommandInput[] = [];
  for (const [kind, list] of byKind) {
    for (let i = 0; i < list.length; i += SQS_BATCH) {
      inputs.push({
        QueueUrl: urls[kind],
        Entries: list.slice(i, i + SQS_BATCH).map((unit, n) => {
          const key = unitKey(unit);
          const id = sqsId(key);
          return { Id: String(n), MessageBody: JSON.stringify(unit), MessageGroupId: id, MessageDeduplicationId: id };
        }),
      });
    }
  }
  return inputs;
}

/**
 * Group and deduplication ids allow 128 characters of [\x21-\x7e]: our keys fit; a long or odd id
 * (not one we make, but the schema allows 200 characters) is cut and suffixed with its hash.
 */
function sqsId(key: string): string {
  if (key.length <= 128 && /^[\x21-\x7e]+$/.test(key)) return key;
  return `${key.replace(/[^\x21-\x7e]/g, '_').slice(0, 100)}#${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

export class SqsWorkQueue implements WorkQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly urls: QueueUrls,
  ) {}

  async enqueue(units: readonly WorkUnit[]): Promise<number> {
    const inputs = sendBatchInputs(units, this.urls);
    let sent = 0;
    const failed: string[] = [];
    for (let i = 0; i < inputs.length; i += SEND_CONCURRENCY) {
      const results = await Promise.all(
        inputs.slice(i, i + SEND_CONCURRENCY).map((input) => this.sqs.send(new SendMessageBatchCommand(input))),
      );
      for (const res of results) {
        sent += res.Successful?.length ?? 0;
        for (const f of res.Failed ?? []) failed.push(`${f.Code}: ${f.Message ?? ''}`);
      }
    }
    // Units not sent are still due: the next sweep sends them. Throwing makes the miss visible (function errors alarm).
    if (failed.length > 0) throw new Error(`${failed.length} unit(s) not queued: ${failed.slice(0, 3).join('; ')}`);
    return sent;
  }
}
