import type { CampaignSnapshot } from '../campaigns/index.js';
import { notOpenReason } from '../domain/index.js';
import { type BlockRecord, blockMember, heldEntriesOf } from '../entries/index.js';
import { CampaignNotOpenError } from '../errors.js';
import type { UseCaseContext } from './context.js';
import { cancelEntryWithRefund } from './entry-changes.js';

export interface BlockOutcome {
  block: BlockRecord;
  /** the member's entry cancelled with the block (`cancelEntries`), or null; the first of them in a household campaign */
  cancelledEntryId: string | null;
  /** every entry cancelled with the block (a household campaign's member may hold several) */
  cancelledEntryIds: string[];
}

/**
 * POST /campaigns/{id}/blocks. The block stops the member's future joins; their entry stays unless
 * `cancelEntries` (then it is cancelled, and refunded if prepaid, as a leader's cancel is). Who may
 * ask is checked before (access.ts requireBlockManager). With `cancelEntries`, a campaign that no
 * longer takes cancels is refused before the block is written, so nothing is half done.
 */
export async function blockMemberFromCampaign(
  ctx: UseCaseContext,
  snapshot: CampaignSnapshot,
  input: { userId: string; actorId: string; cancelEntries: boolean },
): Promise<BlockOutcome> {
  const { db } = ctx;
  const { def } = snapshot;
  if (input.cancelEntries) {
    const reason = notOpenReason(def, snapshot.state, db.clock.now());
    if (reason) throw new CampaignNotOpenError(`Campaign is not open (${reason}): entries can no longer be cancelled`, { reason });
  }
  const block = await blockMember(db, def.id, input.userId, input.actorId);
  if (!input.cancelEntries) return { block, cancelledEntryId: null, cancelledEntryIds: [] };
  // Read after the block is written: from now on the member cannot start another join, in any slot.
  const entries = await heldEntriesOf(db, def.id, input.userId);
  for (const entry of entries) await cancelEntryWithRefund(ctx, snapshot, entry.id, input.actorId);
  const ids = entries.map((e) => e.id);
  return { block, cancelledEntryId: ids[0] ?? null, cancelledEntryIds: ids };
}
