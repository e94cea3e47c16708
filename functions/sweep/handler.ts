import { parseConfig } from '../../shared/config.js';
import { settleDueCampaigns } from '../../shared/jobs/index.js';
import { createLogger } from '../../shared/logger.js';
import type { Money } from '../../shared/money/index.js';
import { dbFromConfig, secretsManagerReader } from '../bootstrap.js';
import { moneyFromEnv } from '../payments-bootstrap.js';

/**
 * Scheduled every minute: settles campaigns past closesAt and, when WeChat Pay is configured, runs
 * the money sweep (holds that ended, settlement refunds, refund retries). See shared/jobs/sweep.ts.
 */
const config = parseConfig();
const db = dbFromConfig(config);
const logger = createLogger(config.LOG_LEVEL);
let money: Promise<Money> | undefined;

export const handler = async () => {
  money ??= moneyFromEnv(process.env, secretsManagerReader(config), db, logger).catch((err) => {
    money = undefined; // read the secret again next minute instead of failing forever
    throw err;
  });
  const report = await settleDueCampaigns(db, logger, 100, await money);
  const failures = report.failed.length + (report.payments?.failures ?? 0);
  if (failures > 0) throw new Error(`Sweep had ${failures} failure(s) (see the log)`);
  return report;
};
