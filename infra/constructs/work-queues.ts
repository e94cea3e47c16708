import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { WORK_QUEUE_URL_ENV } from '../../shared/config.js';
import { DEFAULT_KIND_LIMITS, type KindLimits } from '../../shared/jobs/queue.js';
import { WORK_KINDS, type WorkKind } from '../../shared/jobs/work.js';

export interface DeadlineWorkQueuesProps {
  /** The worker: one unit per message (functions/worker/handler.ts). */
  readonly worker: lambda.IFunction;
  /** Its timeout: the queues' visibility timeout is six times it, as AWS advises for SQS event sources. */
  readonly workerTimeout: Duration;
  /** Workers at once per kind (event source maximumConcurrency, at least 2). */
  readonly limits?: KindLimits;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Receives before a unit goes to the dead-letter queue. Generous on purpose: a settlement waiting
 * for its holds puts itself back (ChangeMessageVisibility) a few times within its grace, and every
 * one of those is a receive.
 */
export const MAX_RECEIVES = 10;

/** The environment variable of each kind's queue URL: the names shared/config.ts reads. */
export const QUEUE_URL_ENV: Readonly<Record<WorkKind, string>> = WORK_QUEUE_URL_ENV;

/**
 * Deadline work fanned out: one FIFO queue per kind of unit, each its own event source on the
 * worker with its own concurrency cap, so a kind stuck on a slow WeChat Pay (holds, refunds) never
 * takes the workers of another (settlements). FIFO for its deduplication: the finder re-sends every
 * still-due unit each minute, and SQS drops a repeat within five minutes. Every unit is its own
 * message group, so nothing waits behind anything else. One dead-letter queue for them all.
 */
export class DeadlineWorkQueues extends Construct {
  readonly queues: Readonly<Record<WorkKind, sqs.Queue>>;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: DeadlineWorkQueuesProps) {
    super(scope, id);
    const limits = props.limits ?? DEFAULT_KIND_LIMITS;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      fifo: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Time for a person to look (the alarm fires on the first message) and redrive.
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });

    const queues = {} as Record<WorkKind, sqs.Queue>;
    for (const kind of WORK_KINDS) {
      const name = kind === 'refund-plan' ? 'RefundPlan' : kind[0]!.toUpperCase() + kind.slice(1);
      const queue = new sqs.Queue(this, `${name}Queue`, {
        fifo: true,
        // Deduplication and ordering per unit (message group = unit), not per queue: full parallelism.
        deduplicationScope: sqs.DeduplicationScope.MESSAGE_GROUP,
        fifoThroughputLimit: sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(props.workerTimeout.toSeconds() * 6),
        // A unit older than a day is found again by the sweep if it is still due.
        retentionPeriod: Duration.days(1),
        deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVES },
        removalPolicy: props.removalPolicy,
      });
      props.worker.addEventSource(
        new sources.SqsEventSource(queue, {
          batchSize: 10,
          reportBatchItemFailures: true,
          maxConcurrency: Math.max(2, limits[kind]),
        }),
      );
      queues[kind] = queue;
    }
    this.queues = queues;
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'This is the dead-letter queue of every work queue: its messages wait for a person (the DeadLetters alarm fires on the first) ' +
        'and are redriven by hand; a queue behind it would only move them further from sight.',
    });
    Validations.of(props.worker).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'Each work queue has a redrive policy to the dead-letter queue after MAX_RECEIVES tries, which keeps the failed unit ' +
        'itself; an on-failure destination would only add a copy of the batch metadata.',
    });
  }

  /** The queue URLs as the functions' environment. */
  environment(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const kind of WORK_KINDS) env[QUEUE_URL_ENV[kind]] = this.queues[kind].queueUrl;
    return env;
  }

  grantSend(grantee: lambda.IFunction): void {
    for (const kind of WORK_KINDS) this.queues[kind].grantSendMessages(grantee);
  }
}
