import { listDueCampaignIds } from '../campaigns/index.js';
import type { Logger } from '../logger.js';
import type { Money, PaymentSweepReport } from '../money/index.js';
import { finishDueErasures } from '../privacy/index.js';
import { settleCampaign } from '../settlement/index.js';
import type { DbContext } from '../table/index.js';

export interface SweepReport {
  settled: string[];
  failed: Array<{ campaignId: string; error: string }>;
  /** present when WeChat Pay is configured */
  payments?: PaymentSweepReport;
  /** users whose erasure (DELETE /me) was finished or re-checked, when there were any */
  erasures?: string[];
}

/**
 * Close and settle every campaign past its deadline, then finish due erasures. Runs every minute in the cloud (EventBridge)
 * and every 30 s under `npm start`. Settling is idempotent, so an overlapping or repeated sweep
 * is harmless; one campaign's failure does not stop the others.
 */
export async function settleDueCampaigns(db: DbContext, logger: Logger, limit = 100, money?: Money): Promise<SweepReport> {
  const report: SweepReport = { settled: [], failed: [] };
  // Payments first: holds ending at the deadline are settled (paid or expired) before the campaign is.
  // Money without WeChat Pay sweeps nothing and reports nothing.
  const holds = await money?.sweep(limit, 'holds');
  if (holds) report.payments = holds;
  const due = await listDueCampaignIds(db, db.clock.now().toISOString(), limit);
  for (const campaignId of due) {
    try {
      const summary = await settleCampaign(db, campaignId);
      // Prepaid campaigns: the settle transaction marked their refunds owed; the payment sweep below requests them.
      report.settled.push(campaignId);
      logger.info('campaign settled by sweep', {
        campaignId,
        status: summary.status,
        entryCount: summary.entryCount,
        total: summary.total,
      });
    } catch (err) {
      report.failed.push({ campaignId, error: err instanceof Error ? err.message : String(err) });
      logger.error('sweep could not settle campaign', { campaignId, err });
    }
  }
  const refunds = await money?.sweep(limit, 'refunds', report.payments);
  if (refunds) report.payments = refunds;
  // Erasures interrupted and never retried are finished here (shared/privacy/erasure.ts).
  const erasures = await finishDueErasures(db, logger, limit);
  if (erasures.length > 0) report.erasures = erasures;
  return report;
}
