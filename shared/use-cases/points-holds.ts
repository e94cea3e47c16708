import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type CampaignSnapshot, getCampaign } from '../campaigns/index.js';
import { baseAmount, type CampaignDefinition, maxReservablePoints, type PointsHold, pointsDiscount, settleEntry } from '../domain/index.js';
import { getEntryRecord, requireEntry } from '../entries/index.js';
import { ConflictError, ForbiddenError, InsufficientPointsError, InvalidStateError, ValidationError } from '../errors.js';
import {
  finalizeHoldWrites,
  finalRef,
  getPointsBalance,
  getPointsEvent,
  getPointsRules,
  type HoldPhase,
  type HoldWrites,
  holdMarkers,
  releaseHoldWrites,
  reserveHoldWrites,
} from '../points/index.js';
import type { DbContext, EntryRecord } from '../table/index.js';
import { cancelledTransaction, isTransientConflict, toEntry, withRetry } from '../table/index.js';

/**
 * A member spends points on an entry of a community campaign (POST/DELETE
 * /campaigns/{id}/entries/{entryId}/points): reserved now, priced at settlement. See
 * shared/points/holds.ts for the transaction; here the rules, the checks and the retries.
 */
export interface EntryPointsView {
  entryId: string;
  points: number;
  /** fen the reservation takes off at today's estimate (base prices); the settlement decides */
  estimatedDiscount: number;
  balance: number;
}

function requireSpendable(def: CampaignDefinition): string {
  if (!def.communityId) throw new InvalidStateError('Points are spent on campaigns of a community; this one is in none');
  return def.communityId;
}

const view = (def: CampaignDefinition, entry: EntryRecord, hold: PointsHold | undefined, balance: number): EntryPointsView => ({
  entryId: entry.id,
  points: hold?.points ?? 0,
  estimatedDiscount: pointsDiscount(hold, baseAmount(def, entry.items)).fen,
  balance,
});

class HoldRace extends Error {}

/** Runs hold writes computed from fresh reads, retrying lost races; maps failed conditions to answers. */
async function runHold(
  db: DbContext,
  snapshot: CampaignSnapshot,
  entryId: string,
  userId: string,
  build: (entry: EntryRecord, before: Awaited<ReturnType<typeof getPointsBalance>>) => (HoldWrites & { hold?: PointsHold }) | null,
): Promise<EntryPointsView> {
  const { def } = snapshot;
  const communityId = requireSpendable(def);
  return withRetry(
    async () => {
      const entry = await requireEntry(db, def.id, entryId);
      if (entry.userId !== userId) throw new ForbiddenError('Only the member of this entry can spend points on it');
      if (entry.status !== 'active') throw new InvalidStateError('Points are spent on active entries only', { status: entry.status });
      const before = await getPointsBalance(db, communityId, userId);
      const built = build(entry, before);
      if (!built) return view(def, entry, entry.pointsHold, before?.balance ?? 0);
      try {
        await db.doc.send(new TransactWriteCommand({ TransactItems: built.writes }));
      } catch (err) {
        const reasons = cancelledTransaction(err)?.reasons;
        if (!reasons) throw err;
        const failed = (i: number) => reasons[i]?.code === 'ConditionalCheckFailed';
        if (failed(built.stateAt))
          throw new InvalidStateError('Points are spent before settlement: this campaign is settled or called off');
        if (
          failed(built.balanceAt) ||
          failed(built.entryAt) ||
          reasons.slice(0, built.balanceAt).some((r) => r.code === 'ConditionalCheckFailed')
        )
          throw new HoldRace();
        throw err;
      }
      const balance = (before?.balance ?? 0) + (entry.pointsHold?.points ?? 0) - (built.hold?.points ?? 0);
      return view(def, entry, built.hold, balance);
    },
    {
      retries: 8,
      baseMs: 5,
      retryOn: (err) => err instanceof HoldRace || isTransientConflict(err),
      onExhausted: () => new ConflictError('The entry or your points changed meanwhile; retry'),
    },
  );
}

/** Reserve `points` on the member's entry, replacing any earlier reservation (only the difference is taken). */
export async function reserveEntryPoints(
  db: DbContext,
  snapshot: CampaignSnapshot,
  entryId: string,
  userId: string,
  points: number,
): Promise<EntryPointsView> {
  const { def } = snapshot;
  const communityId = requireSpendable(def);
  const rules = await getPointsRules(db, communityId);
  if (!rules.spend.enabled) throw new InvalidStateError('Points cannot be spent in this community (its rules say so)');
  const at = db.clock.now().toISOString();
  return runHold(db, snapshot, entryId, userId, (entry, before) => {
    const max = maxReservablePoints(rules.spend, baseAmount(def, entry.items));
    if (points > max)
      throw new ValidationError(`At most ${max} points can be spent on this entry`, {
        fields: [{ path: 'body.points', message: `at most ${max}` }],
        max,
      });
    const available = (before?.balance ?? 0) + (entry.pointsHold?.points ?? 0);
    if (points > available)
      throw new InsufficientPointsError(`Only ${available} points to spend`, { balance: available, requested: points });
    if (entry.pointsHold?.points === points) return null;
    const ctx = { db, communityId, campaignId: def.id, entryId, userId, before, at };
    const { enabled: _enabled, ...limits } = rules.spend;
    return reserveHoldWrites(ctx, entry.pointsHold, { points, ...limits });
  });
}

/** Give the reservation back (before settlement); nothing reserved: nothing changes. */
export async function releaseEntryPoints(
  db: DbContext,
  snapshot: CampaignSnapshot,
  entryId: string,
  userId: string,
): Promise<EntryPointsView> {
  const communityId = requireSpendable(snapshot.def);
  const at = db.clock.now().toISOString();
  return runHold(db, snapshot, entryId, userId, (entry, before) =>
    entry.pointsHold && entry.pointsHold.points > 0
      ? releaseHoldWrites({ db, communityId, campaignId: snapshot.def.id, entryId, userId, before, at }, entry.pointsHold)
      : null,
  );
}

/**
 * After a settlement (or a call-off), settle every reservation of the campaign: the points the
 * discount uses stay spent, the rest goes back (all of it when the group failed, the entry was
 * cancelled, or the campaign was called off). Idempotent (one release ref per hold and phase), so
 * the settle request, the deadline work and the call-off may all run it; one Query of the markers
 * when nobody reserved. Returns how many holds it settled now.
 */
export async function settlePointHolds(db: DbContext, campaignId: string): Promise<number> {
  const markers = await holdMarkers(db, campaignId);
  if (markers.length === 0) return 0;
  const snapshot = await getCampaign(db, campaignId);
  if (!snapshot) return 0;
  const phase: HoldPhase | null = snapshot.state.status === 'cancelled' ? 'calloff' : snapshot.settlement ? 'settle' : null;
  if (!phase) return 0;
  let settled = 0;
  for (const m of markers) {
    if (m.phase === phase || (m.phase === 'calloff' && phase === 'settle')) continue;
    const entry = await getEntryRecord(db, campaignId, m.entryId);
    const hold = entry?.pointsHold;
    if (!entry || !hold) continue;
    const used =
      phase === 'settle' && snapshot.settlement && entry.status === 'active'
        ? settleEntry(snapshot.settlement, toEntry(entry)).pointsUsed
        : 0;
    const releasedBefore =
      phase === 'calloff' ? ((await getPointsEvent(db, m.communityId, m.userId, finalRef(hold.ref, 'settle')))?.points ?? 0) : 0;
    const release = hold.points - used - releasedBefore;
    const done = await withRetry(
      async () => {
        const before = await getPointsBalance(db, m.communityId, m.userId);
        const writes = finalizeHoldWrites(
          { db, communityId: m.communityId, campaignId, entryId: m.entryId, userId: m.userId, before, at: db.clock.now().toISOString() },
          hold,
          phase,
          release,
        );
        try {
          await db.doc.send(new TransactWriteCommand({ TransactItems: writes }));
          return true;
        } catch (err) {
          // A failed condition here means this hold's phase is settled already (a concurrent run).
          if (cancelledTransaction(err)?.reasons.some((r) => r.code === 'ConditionalCheckFailed')) return false;
          throw err;
        }
      },
      { retries: 8, baseMs: 5 },
    );
    if (done) settled++;
  }
  return settled;
}
