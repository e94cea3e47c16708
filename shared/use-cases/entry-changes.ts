import type { CampaignSnapshot } from '../campaigns/index.js';
import type { Entry } from '../domain/index.js';
import { cancelEntry, changeEntry, type EntryChange } from '../entries/index.js';
import type { PaymentPart } from '../money/index.js';
import type { UseCaseContext } from './context.js';
import { checkNote } from './note-check.js';

export interface ChangeOutcome {
  entry: Entry;
  payment: PaymentPart;
}

/**
 * PATCH an entry. A prepaid raise waits for a top-up (Money); anything else changes now, and a
 * prepaid entry that now costs less gets the difference back. The owner check is inside the
 * change's own read (see shared/campaigns/access.ts).
 */
export async function changeEntryWithMoney(
  ctx: UseCaseContext,
  snapshot: CampaignSnapshot,
  entryId: string,
  userId: string,
  input: EntryChange,
): Promise<ChangeOutcome> {
  // A changed note is checked again; its verdict replaces the old flag (a note removed clears it).
  const body: EntryChange =
    input.note === undefined ? input : { ...input, contentReview: input.note === null ? [] : await checkNote(ctx, userId, input.note) };
  const raised = await ctx.money.raiseWithTopUp(snapshot, entryId, userId, body);
  if (raised) return raised;
  const entry = await changeEntry(ctx.db, snapshot, entryId, userId, body);
  return { entry, payment: await ctx.money.refundAfterChange(snapshot.def, entry) };
}

/** DELETE an entry (its owner or the leader, checked in the cancel's own read); prepaid: refunded in full. */
export async function cancelEntryWithRefund(
  ctx: UseCaseContext,
  snapshot: CampaignSnapshot,
  entryId: string,
  actorId: string,
): Promise<ChangeOutcome> {
  const entry = await cancelEntry(ctx.db, snapshot, entryId, actorId);
  return { entry, payment: await ctx.money.refundAfterChange(snapshot.def, entry) };
}
