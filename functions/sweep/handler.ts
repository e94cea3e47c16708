import { SQSClient } from '@aws-sdk/client-sqs';
import { parseConfig, workQueueUrls } from '../../shared/config.js';
import { SqsWorkQueue, sweepDueWork } from '../../shared/jobs/index.js';
import { createLogger } from '../../shared/logger.js';
import type { Money } from '../../shared/money/index.js';
import { dbFromConfig, secretsManagerReader } from '../bootstrap.js';
import { moneyFromEnv } from '../payments-bootstrap.js';

/**
 * Scheduled every minute: finds every unit of deadline work that is due (campaigns to settle, holds
 * ending, settlement refund passes, refunds) and hands each to its SQS queue; the worker function
 * (functions/worker/handler.ts) does them. See shared/jobs and the README's "Deadline work".
 */
const config = parseConfig();
const db = dbFromConfig(config);
const logger = createLogger(config.LOG_LEVEL);
const queue = new SqsWorkQueue(new SQSClient({ region: config.AWS_REGION }), workQueueUrls(config));
let money: Promise<Money> | undefined;

export const handler = async () => {
  // Only to know whether WeChat Pay is configured (then holds and refunds are looked for too).
  money ??= moneyFromEnv(process.env, secretsManagerReader(config), db, logger).catch((err) => {
    money = undefined; // read the secret again next minute instead of failing forever
    throw err;
  });
  const found = await sweepDueWork(db, await money, queue);
  logger.info('deadline sweep queued due work', { found });
  return found;
};
