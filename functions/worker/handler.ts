import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { parseConfig, workQueueUrls } from '../../shared/config.js';
import { doWork, workSqsBatch } from '../../shared/jobs/index.js';
import { createLogger } from '../../shared/logger.js';
import { dbFromConfig, messagingFromEnv, metricsFromConfig, secretsManagerReader } from '../bootstrap.js';
import { lazyRetrying } from '../lazy.js';
import { lazyMoney } from '../payments-bootstrap.js';

/**
 * The deadline-work worker: SQS batches from the work queues (one event source each, with its
 * own maximum concurrency), one unit per message, partial batch failures reported.
 */
const config = parseConfig();
const db = dbFromConfig(config);
const logger = createLogger(config.LOG_LEVEL);
const metrics = metricsFromConfig(config, 'worker');
let invocations = 0;
const sqs = new SQSClient({ region: config.AWS_REGION });
// A record names its queue by ARN; the URL (partition-specific: amazonaws.com.cn in China) comes from config, by queue name.
const urlByName = new Map(Object.values(workQueueUrls(config)).map((url) => [url.slice(url.lastIndexOf('/') + 1), url]));
const money = lazyMoney(process.env, secretsManagerReader(config), db, logger);

// Built on first use, and again after a failure (a secret not readable yet), like money.
const messaging = lazyRetrying(() => messagingFromEnv(config, secretsManagerReader(config), db));

export const handler = async (event: SQSEvent, context?: Context) => {
  logger.setContext({ function_request_id: context?.awsRequestId, cold_start: invocations++ === 0 });
  try {
    return await work(event);
  } finally {
    metrics.flush();
  }
};

async function work(event: SQSEvent) {
  const ctx = { db, logger, metrics, money: await money(), messaging: (await messaging()) ?? null };
  const urlOf = new Map(
    event.Records.map((r) => [r.receiptHandle, urlByName.get(r.eventSourceARN.slice(r.eventSourceARN.lastIndexOf(':') + 1))]),
  );
  return workSqsBatch(event, {
    work: (unit) => doWork(ctx, unit),
    retryAfter: async (receiptHandle, seconds) => {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: urlOf.get(receiptHandle),
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    },
    logger,
  });
}
