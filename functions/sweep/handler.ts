import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { parseConfig, workQueueUrls } from '../../shared/config.js';
import { SqsWorkQueue, sweepDueWork } from '../../shared/jobs/index.js';
import { createLogger } from '../../shared/logger.js';
import { dbFromConfig, messageScheduleFromConfig, metricsFromConfig, secretsManagerReader } from '../bootstrap.js';
import { lazyMoney } from '../payments-bootstrap.js';

/**
 * Scheduled every minute: finds every unit of deadline work that is due (campaigns to settle, holds
 * ending, settlement refund passes, refunds) and hands each to its SQS queue; the worker function
 * (functions/worker/handler.ts) does them. See shared/jobs and the README's "Deadline work".
 */
const config = parseConfig();
const db = dbFromConfig(config);
const logger = createLogger(config.LOG_LEVEL);
const queue = new SqsWorkQueue(new SQSClient({ region: config.AWS_REGION }), workQueueUrls(config));
const money = lazyMoney(process.env, secretsManagerReader(config), db, logger);
// Which hold reminders and leader digests to write: read from the templates, so no WeChat secret here.
const schedule = messageScheduleFromConfig(config);
const metrics = metricsFromConfig(config, 'sweep');

let invocations = 0;

export const handler = async (_event?: unknown, context?: Context) => {
  logger.setContext({ function_request_id: context?.awsRequestId, cold_start: invocations++ === 0 });
  // Only to know whether WeChat Pay is configured (then holds and refunds are looked for too).
  const found = await sweepDueWork(db, await money(), queue, undefined, schedule);
  logger.info('deadline sweep queued due work', { found });
  // The backlog as a metric (alarmed on): due work that keeps growing means the worker falls behind.
  metrics.count(
    'WorkDue',
    Object.values(found).reduce((sum, n) => sum + n, 0),
  );
  metrics.flush();
  return found;
};
