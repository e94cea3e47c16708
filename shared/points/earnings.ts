import { type Earning, earnRefs, earnsPoints, type PointsEvent } from '../domain/index.js';
import type { DbContext, TransactItem } from '../table/index.js';
import { applyPointsEvent, memberPointsWrites, type PointsWriteContext, reversePoints } from './ledger.js';
import { getPointsRules } from './rules.js';

/**
 * Earnings and their reversals, as the settlement fold, the pickup use case and cancellations use
 * them. What each entry earns is decided by settlementEarnings (shared/domain/points.ts); here they
 * become ledger events.
 */

const toEvent = (communityId: string, e: Earning, at: string): PointsEvent => ({
  communityId,
  userId: e.userId,
  ref: e.ref,
  kind: 'earn',
  points: e.points,
  reason: e.reason,
  at,
  campaignId: e.campaignId,
  entryId: e.entryId,
});

/**
 * Pure: one member's earnings (all with `userId` = ctx's member) as writes for their per-member
 * transaction: the events, ONE update of their totals, their title when it changes. Empty when
 * there is nothing to earn. Earnings of other users (a referrer) go through earnPoints instead.
 */
export function memberEarnWrites(
  tableName: string,
  communityId: string,
  earnings: readonly Earning[],
  at: string,
  ctx: PointsWriteContext,
): TransactItem[] {
  return memberPointsWrites(
    tableName,
    earnings.map((e) => toEvent(communityId, e, at)),
    ctx,
  );
}

/**
 * Sends earnings alone, each exactly once by its ref (a repeat is a no-op), whoever they go to.
 * Returns how many were new.
 */
export async function earnPoints(db: DbContext, communityId: string, earnings: readonly Earning[], at: string): Promise<number> {
  const wanted = earnings.filter((e) => e.points > 0 && earnsPoints(e.userId));
  if (wanted.length === 0) return 0;
  const { titles } = await getPointsRules(db, communityId);
  let applied = 0;
  for (const e of wanted) {
    const { kind: _kind, ...event } = toEvent(communityId, e, at);
    if ((await applyPointsEvent(db, 'earn', event, titles)).applied) applied++;
  }
  return applied;
}

/**
 * An entry cancelled or refunded in full after it earned: its earnings are taken back (ref
 * `rev:<ref>`, each at most once, and no further than the balance goes): joining, paying on time,
 * its pickup (when `pickedUpAt`) and its referrer's points. Returns how many were reversed.
 */
export async function reverseEntryPoints(
  db: DbContext,
  communityId: string,
  entry: { campaignId: string; id: string; userId: string; referredBy?: string | null; pickedUpAt?: string | null },
): Promise<number> {
  const { titles } = await getPointsRules(db, communityId);
  const refs: Array<[string, string]> = [
    [entry.userId, earnRefs.join(entry.campaignId, entry.id)],
    [entry.userId, earnRefs.paid(entry.campaignId, entry.id)],
    ...(entry.pickedUpAt ? [[entry.userId, earnRefs.pickup(entry.campaignId, entry.id, entry.pickedUpAt)] as [string, string]] : []),
    ...(entry.referredBy ? [[entry.referredBy, earnRefs.referral(entry.campaignId, entry.id)] as [string, string]] : []),
  ];
  let reversed = 0;
  for (const [userId, ref] of refs) {
    if (!earnsPoints(userId)) continue;
    if ((await reversePoints(db, communityId, userId, ref, titles)).applied) reversed++;
  }
  return reversed;
}
