import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type CampaignDefinition, earnRefs, earnsPoints } from '../domain/index.js';
import { getEntryRecord, type PickupEntryRecord, type PickupMark, tickOff, undoMarkWrite, undoPickedUp } from '../entries/index.js';
import { ConflictError } from '../errors.js';
import { syncPickup } from '../numbers/index.js';
import { applyPointsEvent, getPointsBalance, getPointsEvent, getPointsRules, pointsReverseWrites } from '../points/index.js';
import type { DbContext } from '../table/index.js';
import { cancelledTransaction, isTransientConflict, withRetry } from '../table/index.js';

/**
 * Pickups (核销) of a community campaign earn the member the community's `pickedUp` points. The
 * mark is written first (the existing conditional update), then the points by the mark's ref
 * (`pickup:<campaign>:<entry>:<pickedUpAt>`): a crash between the two is repaired by the retry
 * (marking again answers the first mark, whose ref earns once). A campaign outside a community, or
 * a community whose rules give 0 for pickups, costs nothing more than the mark.
 */
export async function pickUpEntry(
  db: DbContext,
  def: CampaignDefinition,
  entryId: string,
  byUserId: string,
): Promise<{ mark: PickupMark; repeated: boolean }> {
  const { mark, repeated, userId } = await tickOff(db, def.id, entryId, byUserId);
  if (mark.pickedUpAt) await earnForPickup(db, def, entryId, userId, mark.pickedUpAt);
  // The member book and numbers count it once (after the fold; before it, the fold reads the mark).
  if (def.communityId) await syncPickup(db, def.id, entryId, mark.pickedUpAt);
  return { mark, repeated };
}

async function earnForPickup(db: DbContext, def: CampaignDefinition, entryId: string, userId: string, pickedUpAt: string) {
  if (!def.communityId || !earnsPoints(userId)) return;
  const rules = await getPointsRules(db, def.communityId);
  if (rules.earn.pickedUp <= 0) return;
  await applyPointsEvent(
    db,
    'earn',
    {
      communityId: def.communityId,
      userId,
      ref: earnRefs.pickup(def.id, entryId, pickedUpAt),
      points: rules.earn.pickedUp,
      reason: 'pickedUp',
      at: pickedUpAt,
      campaignId: def.id,
      entryId,
    },
    rules.titles,
  );
}

/**
 * Undoing a mark takes back the points that mark earned, in ONE transaction with the undo (so no
 * crash leaves the mark undone and the points kept): the entry's update is conditioned on that
 * very mark. Whatever the transaction cannot do (no mark, too late, another entry) is answered by
 * the plain undo, which says why.
 */
export async function undoPickup(db: DbContext, def: CampaignDefinition, entryId: string): Promise<PickupMark> {
  const mark = await undoPickupMark(db, def, entryId);
  if (def.communityId) await syncPickup(db, def.id, entryId, mark.pickedUpAt);
  return mark;
}

async function undoPickupMark(db: DbContext, def: CampaignDefinition, entryId: string): Promise<PickupMark> {
  const communityId = def.communityId;
  if (!communityId) return undoPickedUp(db, def.id, entryId);
  const record = (await getEntryRecord(db, def.id, entryId)) as PickupEntryRecord | null;
  if (!record?.pickedUpAt || !earnsPoints(record.userId)) return undoPickedUp(db, def.id, entryId);
  const pickedUpAt = record.pickedUpAt;
  const earned = await getPointsEvent(db, communityId, record.userId, earnRefs.pickup(def.id, entryId, pickedUpAt));
  if (!earned) return undoPickedUp(db, def.id, entryId);
  const { titles } = await getPointsRules(db, communityId);
  const undone = await withRetry(
    async () => {
      const now = db.clock.now();
      const before = await getPointsBalance(db, communityId, record.userId);
      const reverse = pointsReverseWrites(db.tableName, earned, now.toISOString(), { before, titles }) ?? [];
      const writes = [...reverse, undoMarkWrite(db.tableName, def.id, entryId, pickedUpAt, now)];
      try {
        await db.doc.send(new TransactWriteCommand({ TransactItems: writes }));
        return true;
      } catch (err) {
        const reasons = cancelledTransaction(err)?.reasons;
        if (!reasons) throw err;
        // The mark changed (undone, or too old): the plain undo below answers it.
        if (reasons[writes.length - 1]?.code === 'ConditionalCheckFailed') return false;
        // Reversed already (a retry whose first attempt committed): the mark went with it.
        if (reasons[0]?.code === 'ConditionalCheckFailed' && reverse.length > 0) return false;
        // The balance moved since the read: read again.
        if (reasons[1]?.code === 'ConditionalCheckFailed') throw new ConflictError('Points changed meanwhile; retry');
        throw err;
      }
    },
    { retries: 8, baseMs: 5, retryOn: (err) => isTransientConflict(err) || err instanceof ConflictError },
  );
  if (!undone) return undoPickedUp(db, def.id, entryId);
  return { entryId, seq: record.seq, pickedUp: false, pickedUpAt: null, pickedUpBy: null };
}
