import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type CampaignSnapshot, getCampaign } from '../campaigns/index.js';
import { earnsPoints, shanghaiDay } from '../domain/index.js';
import { allEntries } from '../entries/index.js';
import { InvalidStateError } from '../errors.js';
import { reverseEntryPoints } from '../points/index.js';
import type { DbContext, TransactItem } from '../table/index.js';
import { cancelledTransaction, isTransientConflict, keys, withRetry } from '../table/index.js';
import { type FoldedEntry, foldCampaign, foldedEntries } from './fold.js';
import { type Adds, ATTR, addUpdate } from './updates.js';

/**
 * What happens to a folded entry later: its pickup (or the undo of it), a refund, a no-show when
 * the staff close the pickup. Each reads the entry's FOLDED# marker and writes, in one transaction,
 * the marker (conditioned on its version `v` as read, so each change counts once however often it
 * is reported), the member book and the campaign's, the community's and the day's numbers. An
 * entry not folded yet changes nothing here: the fold reads it as it is by then.
 */

export async function getFoldedEntry(db: DbContext, campaignId: string, entryId: string): Promise<FoldedEntry | null> {
  const out = await db.doc.send(
    new GetCommand({ TableName: db.tableName, Key: keys.foldedEntry(campaignId, entryId), ConsistentRead: true }),
  );
  return (out.Item as FoldedEntry | undefined) ?? null;
}

class MarkerMovedError extends Error {}

const hasAdds = (adds: Adds) => Object.values(adds).some((n) => n !== 0);

interface Change {
  /** the marker's new fields */
  set: Record<string, unknown>;
  /** counters of the numbers items */
  counters: Adds;
  /** counters of the campaign item only (per point) */
  campaign?: Adds;
  /** member book counters */
  book: Adds;
  /** extra condition on the marker (with its values) */
  condition?: { expression: string; values: Record<string, unknown> };
  /** added to the marker (a refund's ref) */
  addSet?: { name: string; value: Set<string> };
}

/**
 * Applies `decide(marker)` to the marker and everything it counts in; null from decide: nothing to do.
 * `read`: the marker as the caller just read it (consistently), for the first attempt instead of a
 * second GetItem; a write from a stale read fails on `v` and the retry reads afresh.
 */
async function changeFolded(
  db: DbContext,
  campaignId: string,
  entryId: string,
  decide: (m: FoldedEntry) => Change | null,
  read?: FoldedEntry,
): Promise<FoldedEntry | null> {
  return withRetry(
    async (attempt) => {
      const m = attempt === 0 && read ? read : await getFoldedEntry(db, campaignId, entryId);
      if (!m?.succeeded) return null;
      const change = decide(m);
      if (!change) return null;
      const now = db.clock.now().toISOString();
      const day = shanghaiDay(now);
      const counted = hasAdds(change.counters);
      // The marker: its new fields, its version + 1 (conditioned on the version read) and a refund's ref.
      const writes: TransactItem[] = [
        addUpdate(
          db.tableName,
          keys.foldedEntry(campaignId, entryId),
          { v: 1 },
          {},
          {
            setAlways: change.set,
            ...(change.addSet ? { addSets: { [change.addSet.name]: change.addSet.value } } : {}),
            condition: `#v = :v${change.condition ? ` AND ${change.condition.expression}` : ''}`,
            names: { '#v': 'v' },
            values: { ':v': m.v, ...(change.condition?.values ?? {}) },
          },
        ),
      ];
      if (counted)
        writes.push(
          addUpdate(db.tableName, keys.campaignNumbers(campaignId), { ...change.counters, ...(change.campaign ?? {}) }),
          addUpdate(db.tableName, keys.communityStatsTotal(m.communityId), change.counters, {
            type: 'communityStats',
            communityId: m.communityId,
          }),
          addUpdate(db.tableName, keys.communityStatsDay(m.communityId, day), change.counters, {
            type: 'communityStats',
            communityId: m.communityId,
            day,
          }),
        );
      // The book row exists: the fold wrote it with the marker (guests have none).
      if (earnsPoints(m.userId) && hasAdds(change.book))
        writes.push(
          addUpdate(db.tableName, keys.communityMember(m.communityId, m.userId), change.book, {}, { condition: 'attribute_exists(pk)' }),
        );
      try {
        await db.doc.send(new TransactWriteCommand({ TransactItems: writes }));
      } catch (err) {
        if (cancelledTransaction(err)?.reasons[0]?.code === 'ConditionalCheckFailed') throw new MarkerMovedError();
        throw err;
      }
      return { ...m, ...change.set, v: m.v + 1 } as FoldedEntry;
    },
    { retries: 10, baseMs: 5, retryOn: (err) => isTransientConflict(err) || err instanceof MarkerMovedError },
  );
}

/**
 * The entry is (now) picked up or not (an undo): counted once either way. A pickup after a
 * no-show takes the no-show back (they came late). Call after the pickup mark is written.
 */
export async function syncPickup(db: DbContext, campaignId: string, entryId: string, pickedUpAt: string | null) {
  return changeFolded(db, campaignId, entryId, (m) => {
    const picked = pickedUpAt !== null;
    if (m.picked === picked && (m.pickedUpAt ?? null) === pickedUpAt) return null;
    if (m.picked === picked) return { set: { pickedUpAt }, counters: {}, book: {} };
    const d = picked ? 1 : -1;
    const undoNoShow = picked && m.noShow;
    return {
      set: { picked, pickedUpAt, noShow: undoNoShow ? false : m.noShow },
      counters: { pickups: d, ...(undoNoShow ? { noShows: -1 } : {}) },
      campaign: { [`${ATTR.pointPickups}${m.pointId}`]: d, ...(undoNoShow ? { [`${ATTR.pointNoShows}${m.pointId}`]: -1 } : {}) },
      book: { b_pickups: d, ...(undoNoShow ? { b_noShows: -1 } : {}) },
    };
  });
}

/**
 * A refund reached the member (`ref` names it: a repeat adds nothing). Refunded in full (the whole
 * folded amount): the points the entry earned are taken back.
 */
export async function recordRefund(
  db: DbContext,
  campaignId: string,
  entryId: string,
  amount: number,
  ref: string,
  purpose?: string,
): Promise<boolean> {
  if (!Number.isSafeInteger(amount) || amount <= 0) return false;
  let marker = await getFoldedEntry(db, campaignId, entryId);
  // A refund before the fold ran (the sweep folds within a minute of settling): fold first, so it counts.
  if (!marker) {
    const snapshot = await getCampaign(db, campaignId);
    if (!snapshot?.settlement || !snapshot.def.communityId) return false;
    await foldCampaign(db, campaignId, snapshot);
    marker = await getFoldedEntry(db, campaignId, entryId);
  }
  if (!marker) return false;
  // The marker just read serves the change's first attempt (what makes decide say "nothing to do" only
  // grows: refundRefs, shortageAtFold is fixed), so a refund reads it once.
  const after = await changeFolded(
    db,
    campaignId,
    entryId,
    (m) => {
      if (m.refundRefs?.has(ref)) return null;
      // A shortage's refund of an entry folded after the shortage: its folded amount is already what was delivered.
      if (purpose === 'shortage' && m.shortageAtFold) return null;
      return {
        set: { refunded: m.refunded + amount },
        addSet: { name: 'refundRefs', value: new Set([ref]) },
        condition: { expression: 'NOT contains(refundRefs, :ref)', values: { ':ref': ref } },
        counters: { refunded: amount },
        book: { b_refunded: amount },
      };
    },
    marker,
  );
  if (after && after.amount > 0 && after.refunded >= after.amount) {
    await reverseEntryPoints(db, after.communityId, {
      campaignId,
      id: entryId,
      userId: after.userId,
      referredBy: after.referredBy ?? null,
      pickedUpAt: after.pickedUpAt ?? null,
    });
  }
  return after !== null;
}

export interface PickupClose {
  closedAt: string;
  /** entries counted as no-shows by this close (0 when closed before) */
  noShows: number;
  pickedUp: number;
  waiting: number;
}

/**
 * POST /campaigns/{id}/pickups/close: the pickup of a settled campaign is over. The fold runs first
 * (idempotent), every entry's pickup is brought in line with its mark (repairing a pickup whose count
 * was lost to a crash), and every entry not picked up counts once as a no-show. Closing again counts
 * only what is new (an entry whose no-show a late pickup took back is not counted again).
 */
export async function closePickups(db: DbContext, snapshot: CampaignSnapshot): Promise<PickupClose> {
  const { def } = snapshot;
  if (!snapshot.settlement) throw new InvalidStateError('Only a settled campaign has a pickup to close', { status: snapshot.state.status });
  if (!def.communityId) throw new InvalidStateError('Only a campaign of a community keeps pickup numbers', { communityId: null });
  await foldCampaign(db, def.id, snapshot);
  const now = db.clock.now().toISOString();
  const closed = await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: keys.campaignNumbers(def.id),
      UpdateExpression: 'SET pickupClosedAt = if_not_exists(pickupClosedAt, :now)',
      ExpressionAttributeValues: { ':now': now },
      ReturnValues: 'ALL_NEW',
    }),
  );
  const report: PickupClose = { closedAt: closed.Attributes?.pickupClosedAt as string, noShows: 0, pickedUp: 0, waiting: 0 };
  // One entry after another: every no-show also ADDs to the campaign's, the community's and the day's
  // items, which concurrent transactions would fight over (real DynamoDB cancels them as conflicts).
  for await (const e of allEntries(db, def.id)) {
    if (e.status !== 'active' || e.void) continue;
    const pickedUpAt = (e as { pickedUpAt?: string }).pickedUpAt ?? null;
    await syncPickup(db, def.id, e.id, pickedUpAt);
    if (pickedUpAt) {
      report.pickedUp++;
      continue;
    }
    report.waiting++;
    const marked = await changeFolded(db, def.id, e.id, (m) =>
      m.picked || m.noShow || m.noShowCounted
        ? null
        : {
            set: { noShow: true, noShowCounted: true },
            counters: { noShows: 1 },
            campaign: { [`${ATTR.pointNoShows}${m.pointId}`]: 1 },
            book: { b_noShows: 1 },
          },
    );
    if (marked) report.noShows++;
  }
  return report;
}

/**
 * A campaign called off after its fold: nobody bought, so the points its entries earned at the
 * settlement (joining, paying on time, referrals, pickups) are taken back, each at most once (a
 * prepaid campaign's full refunds do the same through recordRefund; this covers offline ones). Its
 * counts stay in the member book and numbers, with the call-off's refunds as refunds (README).
 */
export async function reverseCalledOffPoints(db: DbContext, campaignId: string): Promise<number> {
  let reversed = 0;
  for (const m of await foldedEntries(db, campaignId)) {
    if (!m.succeeded) continue;
    reversed += await reverseEntryPoints(db, m.communityId, {
      campaignId,
      id: m.entryId,
      userId: m.userId,
      referredBy: m.referredBy ?? null,
      pickedUpAt: m.pickedUpAt ?? null,
    });
  }
  return reversed;
}
