import { parseConfig } from '../../shared/config.js';
import { settleDueCampaigns } from '../../shared/jobs/index.js';
import { createLogger } from '../../shared/logger.js';
import type { PaymentsContext } from '../../shared/money/index.js';
import { dbFromConfig, secretsManagerReader } from '../bootstrap.js';
import { wechatPayFromEnv } from '../payments-bootstrap.js';

/**
 * Scheduled every minute: settles campaigns past closesAt and, when WeChat Pay is configured, runs
 * the money sweep (holds that ended, settlement refunds, refund retries). See shared/jobs/sweep.ts.
 */
const config = parseConfig();
const db = dbFromConfig(config);
const logger = createLogger(config.LOG_LEVEL);
let payments: Promise<PaymentsContext | undefined> | undefined;

export const handler = async () => {
  payments ??= wechatPayFromEnv(process.env, secretsManagerReader(config), logger).then(
    (pay) => (pay ? { db, logger, ...pay } : undefined),
    (err) => {
      payments = undefined; // read the secret again next minute instead of failing forever
      throw err;
    },
  );
  const report = await settleDueCampaigns(db, logger, 100, await payments);
  const failures = report.failed.length + (report.payments?.failures ?? 0);
  if (failures > 0) throw new Error(`Sweep had ${failures} failure(s) (see the log)`);
  return report;
};
