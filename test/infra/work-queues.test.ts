import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_RECEIVES } from '../../infra/constructs/work-queues.js';
import { DEFAULT_KIND_LIMITS } from '../../shared/jobs/index.js';
import { resourcesOfType, type Synthesized, synthStack } from './helpers.js';

let prod: Synthesized;
beforeAll(() => {
  prod = synthStack('prod', { alarmEmail: 'ops@example.com' });
});

describe('deadline work queues', () => {
  it('seven FIFO work queues (one per kind) and one FIFO dead-letter queue, all SQS-encrypted', () => {
    const queues = resourcesOfType(prod.template, 'AWS::SQS::Queue');
    expect(queues).toHaveLength(8);
    for (const [, q] of queues) expect(q.Properties).toMatchObject({ FifoQueue: true, SqsManagedSseEnabled: true });
    const dlq = prod.resolve(prod.stack.workQueues.deadLetterQueue.queueArn);
    const work = queues.filter(([, q]) => q.Properties!.RedrivePolicy);
    expect(work).toHaveLength(7);
    for (const [, q] of work) {
      expect(q.Properties).toMatchObject({
        RedrivePolicy: { deadLetterTargetArn: dlq, maxReceiveCount: MAX_RECEIVES },
        DeduplicationScope: 'messageGroup',
        FifoThroughputLimit: 'perMessageGroupId',
        // six times the worker's 60 s timeout, as AWS advises for event sources
        VisibilityTimeout: 360,
      });
    }
  });

  it('each queue is its own event source on the worker, with its own concurrency cap and partial batch failures', () => {
    const mappings = resourcesOfType(prod.template, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(7);
    const worker = prod.resolve(prod.stack.workerFunction.function.functionName);
    const caps = new Map<string, number>();
    for (const [, m] of mappings) {
      expect(m.Properties).toMatchObject({ FunctionName: worker, BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] });
      caps.set(JSON.stringify(m.Properties!.EventSourceArn), m.Properties!.ScalingConfig.MaximumConcurrency);
    }
    for (const kind of ['settle', 'hold', 'refund-plan', 'refund', 'erasure', 'message', 'fold'] as const) {
      const arn = JSON.stringify(prod.resolve(prod.stack.workQueues.queues[kind].queueArn));
      expect(caps.get(arn)).toBe(Math.max(2, DEFAULT_KIND_LIMITS[kind]));
    }
  });

  it('every queue refuses plain HTTP', () => {
    const policies = resourcesOfType(prod.template, 'AWS::SQS::QueuePolicy');
    expect(policies).toHaveLength(8);
    for (const [, p] of policies) {
      expect(p.Properties!.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      );
    }
  });

  it('only the sweep may send, only the worker may receive', () => {
    const sendersOf = (action: string) =>
      resourcesOfType(prod.template, 'AWS::IAM::Policy')
        .filter(([, p]) => JSON.stringify(p.Properties!.PolicyDocument).includes(action))
        .flatMap(([, p]) => p.Properties!.Roles as unknown[])
        .map((r) => JSON.stringify(r));
    const role = (fn: 'sweepFunction' | 'workerFunction') => JSON.stringify(prod.resolve(prod.stack[fn].function.role!.roleName));
    expect(new Set(sendersOf('sqs:SendMessage'))).toEqual(new Set([role('sweepFunction')]));
    expect(new Set(sendersOf('sqs:ReceiveMessage'))).toEqual(new Set([role('workerFunction')]));
  });

  it('alarms: any dead letter, settlements waiting over 10 minutes, and a payment amount that differs from its order', () => {
    prod.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: prod.resolve(prod.stack.workQueues.deadLetterQueue.queueName) }],
      Threshold: 1,
    });
    prod.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: prod.resolve(prod.stack.workQueues.queues.settle.queueName) }],
      Threshold: 600,
    });
    prod.template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.alarm = "PAYMENT_AMOUNT_MISMATCH" }',
      MetricTransformations: [Match.objectLike({ MetricName: 'PaymentAmountMismatch', MetricNamespace: 'Tuangou', MetricValue: '1' })],
    });
    prod.template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'PaymentAmountMismatch', Namespace: 'Tuangou' });
  });
});
