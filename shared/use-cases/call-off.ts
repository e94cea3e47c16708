import type { CampaignSnapshot } from '../campaigns/index.js';
import type { CallOff } from '../domain/index.js';
import { reverseCalledOffPoints } from '../numbers/index.js';
import { callOffCampaign } from '../settlement/index.js';
import type { UseCaseContext } from './context.js';
import { settlePointHolds } from './points-holds.js';

/**
 * POST /campaigns/{id}/call-off (the leader; checked before, in access.ts). The call-off is one
 * transaction (settlement/call-off.ts); then, for a prepaid campaign, every payment is refunded in
 * full: requested here within a budget by the call that made it, and by the sweep from the
 * refund-plan marker for whatever this could not finish (WeChat Pay down, a crash). A repeat, also
 * one of 20 at once, answers the stored call-off and leaves the refunds to the first call and the sweep.
 * Offline money is the leader's to give back: the payments view shows each paid entry owed its
 * payment back (balance −paid), and the leader records it with PUT …/payment, as any offline mark.
 */
export async function callOff(ctx: UseCaseContext, snapshot: CampaignSnapshot, actorId: string, reason: string): Promise<CallOff> {
  const { callOff, first } = await callOffCampaign(ctx.db, snapshot, actorId, reason);
  if (first) await ctx.money.refundsOwed(snapshot.def);
  // Points reserved on entries all go back (idempotent: a repeated call-off finds them settled).
  await settlePointHolds(ctx.db, snapshot.def.id);
  // Called off after settling: the points its entries earned go back (idempotent; nothing before the fold).
  if (snapshot.settlement && snapshot.def.communityId) await reverseCalledOffPoints(ctx.db, snapshot.def.id);
  return callOff;
}
