import { listDueCampaignIds } from '../db/campaigns.js';
import type { DbContext } from '../db/context.js';
import { settleCampaign } from '../db/settle.js';
import type { Logger } from '../logger.js';

export interface SweepReport {
  settled: string[];
  failed: Array<{ campaignId: string; error: string }>;
}

/**
 * Close and settle every campaign past its deadline. Runs every minute in the cloud (EventBridge)
 * and every 30 s under `npm start`. Settling is idempotent, so an overlapping or repeated sweep
 * is harmless; one campaign's failure does not stop the others.
 */
export async function settleDueCampaigns(db: DbContext, logger: Logger, limit = 100): Promise<SweepReport> {
  const due = await listDueCampaignIds(db, db.clock.now().toISOString(), limit);
  const report: SweepReport = { settled: [], failed: [] };
  for (const campaignId of due) {
    try {
      const summary = await settleCampaign(db, campaignId);
      report.settled.push(campaignId);
      logger.info('campaign settled by sweep', { campaignId, status: summary.status, entryCount: summary.entryCount, total: summary.total });
    } catch (err) {
      report.failed.push({ campaignId, error: err instanceof Error ? err.message : String(err) });
      logger.error('sweep could not settle campaign', { campaignId, err });
    }
  }
  return report;
}
