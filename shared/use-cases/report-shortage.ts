import type { CampaignSnapshot } from '../campaigns/index.js';
import type { SettlementSummary, ShortageRequest } from '../domain/index.js';
import { recordShortage } from '../settlement/index.js';
import type { UseCaseContext } from './context.js';

/**
 * POST /campaigns/{id}/shortage (the leader; checked before, in access.ts): the shortage is recorded
 * once with the settlement (settlement/shortage.ts); then a prepaid campaign refunds each entry the
 * difference between what it paid and what it now costs, here within a budget and by the sweep from
 * the refund-plan marker for the rest. An offline campaign's payments view shows what is owed back.
 */
export async function reportShortage(
  ctx: UseCaseContext,
  snapshot: CampaignSnapshot,
  actorId: string,
  req: ShortageRequest,
): Promise<SettlementSummary> {
  const { summary, first } = await recordShortage(ctx.db, snapshot, req, actorId);
  if (first) await ctx.money.refundsOwed(snapshot.def);
  return summary;
}
