import { parseConfig } from '../../shared/config.js';
import { settleDueCampaigns } from '../../shared/jobs/sweep.js';
import { createLogger } from '../../shared/logger.js';
import { dbFromConfig } from '../bootstrap.js';

/** Scheduled every minute: settles campaigns past closesAt (see shared/jobs/sweep.ts). */
const config = parseConfig();
const db = dbFromConfig(config);
const logger = createLogger(config.LOG_LEVEL);

export const handler = async () => {
  const report = await settleDueCampaigns(db, logger);
  if (report.failed.length > 0) throw new Error(`Sweep could not settle ${report.failed.length} campaign(s)`);
  return report;
};
