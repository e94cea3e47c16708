import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  InProcessWorkQueue,
  parseWorkUnit,
  sendBatchInputs,
  unitKey,
  type WorkOutcome,
  type WorkUnit,
  workSqsBatch,
} from '../../shared/jobs/index.js';
import { createLogger } from '../../shared/logger.js';

const logger = createLogger('silent');
const limits = { settle: 4, hold: 2, 'refund-plan': 1, refund: 1, erasure: 1, message: 1, fold: 1 };
const settle = (i: number): WorkUnit => ({ kind: 'settle', campaignId: `c${i}` });
const hold = (i: number): WorkUnit => ({ kind: 'hold', campaignId: `c${i}`, entryId: `e${i}` });
const cid = (u: WorkUnit) => ('campaignId' in u ? u.campaignId : u.userId);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('in-process work queue (npm start)', () => {
  it('a kind stuck on a slow dependency never delays another: settlements finish while every hold waits', async () => {
    let releaseHolds!: () => void;
    const holdsBlocked = new Promise<void>((r) => {
      releaseHolds = r;
    });
    let holdsRunning = 0;
    let maxHoldsRunning = 0;
    const queue = new InProcessWorkQueue(
      async (unit): Promise<WorkOutcome> => {
        if (unit.kind === 'hold') {
          maxHoldsRunning = Math.max(maxHoldsRunning, ++holdsRunning);
          await holdsBlocked;
          holdsRunning--;
        } else await sleep(2);
        return { done: true, result: 'settled' };
      },
      { limits, logger },
    );
    // Holds first, as the sweep sends them: 50 of them, each "waiting on WeChat Pay".
    await queue.enqueue([...Array.from({ length: 50 }, (_, i) => hold(i)), ...Array.from({ length: 40 }, (_, i) => settle(i))]);
    for (let i = 0; i < 200 && queue.size('settle') > 0; i++) await sleep(5);
    expect(queue.size('settle')).toBe(0);
    expect(queue.done.filter((d) => d.unit.kind === 'settle')).toHaveLength(40);
    expect(queue.size('hold')).toBe(50);
    expect(maxHoldsRunning).toBe(limits.hold);
    releaseHolds();
    await queue.idle();
    expect(queue.done).toHaveLength(90);
  });

  it('a unit still queued or running is not queued twice (as SQS FIFO deduplication)', async () => {
    const seen: string[] = [];
    const queue = new InProcessWorkQueue(
      async (unit) => {
        seen.push(unitKey(unit));
        await sleep(10);
        return { done: true, result: 'settled' };
      },
      { limits, logger },
    );
    expect(await queue.enqueue([settle(1), settle(1), settle(2)])).toBe(2);
    expect(await queue.enqueue([settle(1)])).toBe(0); // running
    await queue.idle();
    expect(seen.sort()).toEqual(['settle:c1', 'settle:c2']);
    expect(await queue.enqueue([settle(1)])).toBe(1); // done: a later sweep may hand it over again
    await queue.idle();
  });

  it('a failing unit is retried with backoff, then parked as a dead letter; the others are done', async () => {
    const tries = new Map<string, number>();
    const queue = new InProcessWorkQueue(
      async (unit) => {
        const key = unitKey(unit);
        tries.set(key, (tries.get(key) ?? 0) + 1);
        if (cid(unit) === 'c1') throw new Error('DynamoDB said no');
        if (cid(unit) === 'c2' && tries.get(key)! < 3) throw new Error('transient');
        return { done: true, result: 'settled' };
      },
      { limits, logger, maxAttempts: 4, retryDelayMs: () => 1 },
    );
    await queue.enqueue([settle(1), settle(2), settle(3)]);
    await queue.idle();
    expect(tries.get('settle:c1')).toBe(4);
    expect(queue.dead).toEqual([{ unit: settle(1), error: 'DynamoDB said no' }]);
    expect(queue.done.map((d) => cid(d.unit)).sort()).toEqual(['c2', 'c3']);
    expect(tries.get('settle:c2')).toBe(3);
  });

  it('work that is not due yet comes back after its delay without using up its tries', async () => {
    let calls = 0;
    const queue = new InProcessWorkQueue(
      async (): Promise<WorkOutcome> =>
        ++calls < 4 ? { done: false, retryAfterMs: 1, reason: 'holds ending' } : { done: true, result: 'settled' },
      { limits, logger, maxAttempts: 2 },
    );
    await queue.enqueue([settle(1)]);
    await queue.idle();
    expect(calls).toBe(4);
    expect(queue.dead).toEqual([]);
  });
});

describe('SQS: what the finder sends', () => {
  it('one FIFO queue per kind, batches of at most 10, each unit its own group with its key as deduplication id', () => {
    const units = [
      ...Array.from({ length: 23 }, (_, i) => settle(i)),
      hold(1),
      { kind: 'refund', campaignId: 'c9', outRefundNo: 'R9' } as const,
    ];
    const urls = {
      settle: 'https://q/settle.fifo',
      hold: 'https://q/hold.fifo',
      'refund-plan': 'https://q/plan.fifo',
      refund: 'https://q/refund.fifo',
      erasure: 'https://q/erasure.fifo',
      message: 'https://q/message.fifo',
      fold: 'https://q/fold.fifo',
    };
    const inputs = sendBatchInputs(units, urls);
    expect(inputs.map((i) => [i.QueueUrl, i.Entries!.length])).toEqual([
      [urls.settle, 10],
      [urls.settle, 10],
      [urls.settle, 3],
      [urls.hold, 1],
      [urls.refund, 1],
    ]);
    const entry = inputs[3]!.Entries![0]!;
    expect(entry).toEqual({
      Id: '0',
      MessageBody: JSON.stringify(hold(1)),
      MessageGroupId: 'hold:c1:e1',
      MessageDeduplicationId: 'hold:c1:e1',
    });
    expect(parseWorkUnit(entry.MessageBody!)).toEqual(hold(1));
    for (const input of inputs) expect(new Set(input.Entries!.map((e) => e.Id)).size).toBe(input.Entries!.length);
  });

  it('deduplication and group ids stay within SQS rules for odd or long ids', () => {
    const [input] = sendBatchInputs([{ kind: 'settle', campaignId: `团购${'x'.repeat(190)}` }], {
      settle: 'u',
      hold: 'u',
      'refund-plan': 'u',
      refund: 'u',
      erasure: 'u',
      message: 'u',
      fold: 'u',
    });
    const id = input!.Entries![0]!.MessageDeduplicationId!;
    expect(id.length).toBeLessThanOrEqual(128);
    expect(id).toMatch(/^[\x21-\x7e]+$/);
    // the message group id has the same rules
    expect(input!.Entries![0]!.MessageGroupId).toBe(id);
  });

  it('bodies we did not write are refused, not guessed at', () => {
    for (const body of [
      '',
      'null',
      '{"kind":"settle"}',
      '{"kind":"drop-table","campaignId":"c1"}',
      '{"kind":"settle","campaignId":"c1","x":1}',
    ])
      expect(parseWorkUnit(body)).toBeNull();
  });
});

describe('SQS: the worker batch', () => {
  const record = (body: string, i: number) => ({
    messageId: `m${i}`,
    receiptHandle: `rh${i}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1764547200000',
      SenderId: 'AROAEXAMPLE:sweep',
      ApproximateFirstReceiveTimestamp: '1764547200001',
      SequenceNumber: `188200000000000000${i}`,
      MessageGroupId: `g${i}`,
      MessageDeduplicationId: `d${i}`,
    },
    messageAttributes: {},
    md5OfBody: 'x',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:ap-east-1:123456789012:settle.fifo',
    awsRegion: 'ap-east-1',
  });

  it('reports exactly the failed, unreadable and not-yet-due messages; puts the not-yet-due one back with its delay', async () => {
    const event: SQSEvent = {
      Records: [
        record(JSON.stringify(settle(1)), 0),
        record(JSON.stringify(settle(2)), 1),
        record('not json', 2),
        record(JSON.stringify(settle(3)), 3),
      ],
    };
    const putBack: Array<[string, number]> = [];
    const res = await workSqsBatch(event, {
      logger,
      retryAfter: async (handle, seconds) => {
        putBack.push([handle, seconds]);
      },
      work: async (unit): Promise<WorkOutcome> => {
        if (cid(unit) === 'c2') throw new Error('boom');
        if (cid(unit) === 'c3') return { done: false, retryAfterMs: 30_000, reason: 'holds ending' };
        return { done: true, result: 'settled' };
      },
    });
    expect(res.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['m1', 'm2', 'm3']);
    expect(putBack).toEqual([['rh3', 30]]);
  });
});
