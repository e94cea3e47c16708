import { DeleteCommand, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type CampaignSnapshot, getCampaign } from '../campaigns/index.js';
import {
  type CampaignDefinition,
  type Earning,
  earnsPoints,
  type PointsRules,
  purchaseKind,
  type SettlementSummary,
  settleEntry,
  settlementEarnings,
  shanghaiDay,
} from '../domain/index.js';
import { allEntries, getEntryRecord } from '../entries/index.js';
import { earnPoints, getPointsBalance, getPointsRules, memberEarnWrites } from '../points/index.js';
import type { DbContext, EntryRecord, TransactItem } from '../table/index.js';
import { cancelledTransaction, isTransientConflict, keys, queryCampaignPrefix, toEntry, withRetry } from '../table/index.js';
import { type Adds, ATTR, addUpdate, NO_POINT } from './updates.js';

/**
 * The fold: once a campaign of a community is settled, each of its active entries is added to its
 * member's book and, once per campaign, to the community's numbers. Per member, ONE transaction:
 * a FOLDED# marker per entry (attribute_not_exists: a retried or concurrent fold of the same entry
 * fails there and changes nothing), a check that each entry's pickup is still as read, the member
 * book update (conditioned on the book as read, since new / returning / repeat depend on it) and
 * the member's settlement points. Then the campaign's numbers from its markers, once (foldedAt).
 */
export interface FoldedEntry {
  communityId: string;
  campaignId: string;
  entryId: string;
  userId: string;
  /** the Shanghai day of the settlement: the day the purchase counts on */
  day: string;
  joinedAt: string;
  succeeded: boolean;
  units: number;
  /** fen: the final amount, less the points discount (what the member pays) */
  amount: number;
  items: Record<string, { qty: number; amount: number }>;
  pointId: string;
  pointName: string;
  referredBy?: string;
  /** a shortage was reported before the fold: the folded amount is already what was delivered */
  shortageAtFold: boolean;
  /** the member's first entry of the campaign: it carries how their purchase counts */
  member: boolean;
  isNew: boolean;
  returning: boolean;
  repeat30: boolean;
  repeat90: boolean;
  /** picked up when folded (what the fold itself counted) */
  foldPicked: boolean;
  /** the state later events keep (pickup, undo, no-show, refunds), each counted once through `v` */
  picked: boolean;
  pickedUpAt?: string;
  noShow: boolean;
  /** a no-show was counted once (a late pickup takes it back; closing again does not count it again) */
  noShowCounted?: boolean;
  refunded: number;
  refundRefs?: Set<string>;
  v: number;
}

export interface FoldReport {
  /** entries folded by this run */
  folded: number;
  /** members whose entries were folded by an earlier (or concurrent) run */
  already: number;
  /** the campaign's numbers were written by this run */
  totals: boolean;
}

/** A member book as the fold reads it (only the attributes it needs). */
interface BookRead {
  exists: boolean;
  campaigns: number;
  firstJoinAt: string | null;
  lastJoinAt: string | null;
  folds: number;
}

/** The fold's member transaction lost to another write of what it read (the book, a pickup, points): read again. */
class FoldMovedError extends Error {}

const isBillable = (e: EntryRecord) => e.status === 'active' && !e.void;

/** Members folded at once by one run. */
const FOLD_CONCURRENCY = 8;

export async function foldCampaign(db: DbContext, campaignId: string, read?: CampaignSnapshot | null): Promise<FoldReport> {
  const report: FoldReport = { folded: 0, already: 0, totals: false };
  const snapshot = read ?? (await getCampaign(db, campaignId));
  const communityId = snapshot?.def.communityId;
  if (!snapshot?.settlement || !communityId) {
    if (snapshot && !snapshot.settlement) return report; // not settled yet: the marker is written when it is
    await deleteFoldDue(db, campaignId);
    return report;
  }
  // Called off before its fold: nobody bought (after its fold, see reverseCalledOffPoints).
  if (snapshot.state.status === 'cancelled') {
    await deleteFoldDue(db, campaignId);
    return report;
  }
  const { def, settlement } = snapshot;
  const rules = await getPointsRules(db, communityId);
  const byUser = new Map<string, EntryRecord[]>();
  for await (const e of allEntries(db, campaignId)) {
    if (!isBillable(e)) continue;
    const list = byUser.get(e.userId) ?? [];
    list.push(e);
    byUser.set(e.userId, list);
  }
  // A fold run again (the worker timed out, a twin) skips who is folded already: one Query of the markers.
  const done = new Set((await foldedEntries(db, campaignId)).map((m) => m.userId));
  const todo = [...byUser].filter(([userId]) => !done.has(userId));
  report.already += byUser.size - todo.length;
  // A run that died between a member's transaction and their referrers' points: those are sent again (once by ref).
  for (const [userId, entries] of byUser)
    if (done.has(userId) && entries.some((e) => e.referredBy))
      await earnReferrals(db, { def, settlement, communityId, rules }, userId, entries);
  // Members are independent items: a few at a time (the worker has 60 s for a campaign of thousands).
  const next = () => todo.shift();
  await Promise.all(
    Array.from({ length: Math.min(FOLD_CONCURRENCY, todo.length) }, async () => {
      for (let job = next(); job; job = next()) {
        const n = await foldMember(db, { def, settlement, communityId, rules }, job[0], job[1]);
        if (n === 0) report.already++;
        report.folded += n;
      }
    }),
  );
  report.totals = await foldTotals(db, def, settlement, communityId);
  await deleteFoldDue(db, campaignId);
  return report;
}

interface FoldScope {
  def: CampaignDefinition;
  settlement: SettlementSummary;
  communityId: string;
  rules: PointsRules;
}

/** Pure: the marker of one entry as folded. */
function foldedEntry(scope: FoldScope, e: EntryRecord): Omit<FoldedEntry, 'member' | 'isNew' | 'returning' | 'repeat30' | 'repeat90'> {
  const { def, settlement, communityId } = scope;
  const settled = settleEntry(settlement, toEntry(e));
  const succeeded = settlement.status !== 'failed';
  const items: FoldedEntry['items'] = {};
  for (const line of settled.items) {
    const prev = items[line.itemId] ?? { qty: 0, amount: 0 };
    items[line.itemId] = { qty: prev.qty + line.qty, amount: prev.amount + line.amount };
  }
  const point = def.pickupPoints.find((p) => p.id === e.pickupPointId);
  const pickedUpAt = (e as EntryRecord & { pickedUpAt?: string }).pickedUpAt;
  return {
    communityId,
    campaignId: def.id,
    entryId: e.id,
    userId: e.userId,
    day: shanghaiDay(settlement.settledAt),
    joinedAt: e.createdAt,
    succeeded,
    units: succeeded ? settled.items.reduce((s, l) => s + l.qty, 0) : 0,
    amount: succeeded ? settled.amount - settled.pointsDiscount : 0,
    items: succeeded ? items : {},
    pointId: point?.id ?? NO_POINT,
    pointName: point?.name ?? NO_POINT,
    shortageAtFold: settlement.shortage !== undefined,
    ...(e.referredBy ? { referredBy: e.referredBy } : {}),
    foldPicked: pickedUpAt !== undefined,
    picked: pickedUpAt !== undefined,
    ...(pickedUpAt ? { pickedUpAt } : {}),
    noShow: false,
    refunded: 0,
    v: 0,
  };
}

async function readBook(db: DbContext, communityId: string, userId: string): Promise<BookRead> {
  const out = await db.doc.send(
    new GetCommand({
      TableName: db.tableName,
      Key: keys.communityMember(communityId, userId),
      ConsistentRead: true,
      ProjectionExpression: 'pk, b_campaigns, firstJoinAt, lastJoinAt, b_folds',
    }),
  );
  const item = out.Item;
  return {
    exists: item !== undefined,
    campaigns: (item?.b_campaigns as number | undefined) ?? 0,
    firstJoinAt: (item?.firstJoinAt as string | undefined) ?? null,
    lastJoinAt: (item?.lastJoinAt as string | undefined) ?? null,
    folds: (item?.b_folds as number | undefined) ?? 0,
  };
}

/** Folds one member's entries of the campaign: how many were folded now (0: an earlier run did). */
async function foldMember(db: DbContext, scope: FoldScope, userId: string, entries: EntryRecord[]): Promise<number> {
  const { def, settlement, communityId, rules } = scope;
  const person = earnsPoints(userId); // guests (代客下单, g_…) have no book: they count in the numbers only
  const succeeded = settlement.status !== 'failed';
  const at = settlement.settledAt;
  const earnings = entryEarnings(scope, userId, entries);
  const own = earnings.filter((e) => e.userId === userId);
  const referrals = earnings.filter((e) => e.userId !== userId);
  const original = entries;
  let read = entries;
  const folded = await withRetry(
    async (attempt) => {
      // Lost to a pickup (or the book moving): the member's entries are read again, as they are now.
      if (attempt > 0)
        read = (await Promise.all(original.map((e) => getEntryRecord(db, def.id, e.id)))).filter(
          (e): e is EntryRecord => e !== null && isBillable(e),
        );
      if (read.length === 0) return 0;
      const entries = read;
      const book: BookRead = person
        ? await readBook(db, communityId, userId)
        : { exists: false, campaigns: 0, firstJoinAt: null, lastJoinAt: null, folds: 0 };
      const kind = purchaseKind(
        book,
        entries.map((e) => e.createdAt),
      );
      const markers = entries.map((e, i): FoldedEntry => {
        const base = foldedEntry(scope, e);
        const member = i === 0 && succeeded;
        return {
          ...base,
          member,
          isNew: member && kind.isNew,
          returning: member && kind.returning,
          repeat30: member && kind.repeat30,
          repeat90: member && kind.repeat90,
        };
      });
      const writes: TransactItem[] = markers.map((m) => ({
        Put: {
          TableName: db.tableName,
          Item: { ...keys.foldedEntry(def.id, m.entryId), type: 'foldedEntry', ...m },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      }));
      // The pickup as read: a pickup between the read and this write fails it, so the fold reads again
      // (a pickup after it finds the marker and counts itself).
      for (const m of markers) {
        const seq = entries.find((e) => e.id === m.entryId)!.seq;
        writes.push({
          ConditionCheck: {
            TableName: db.tableName,
            Key: keys.entry(def.id, seq),
            ConditionExpression: m.pickedUpAt
              ? '#status = :active AND pickedUpAt = :p'
              : '#status = :active AND attribute_not_exists(pickedUpAt)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':active': 'active', ...(m.pickedUpAt ? { ':p': m.pickedUpAt } : {}) },
          },
        });
      }
      const bookAt = writes.length;
      if (person && succeeded) writes.push(bookWrite(db.tableName, communityId, userId, entries[0]!.nickname, book, kind, markers, at));
      const pointsAt = writes.length;
      if (person && own.length > 0) {
        const before = await getPointsBalance(db, communityId, userId);
        writes.push(...memberEarnWrites(db.tableName, communityId, own, at, { before, titles: rules.titles }));
      }
      try {
        await db.doc.send(new TransactWriteCommand({ TransactItems: writes }));
        return markers.length;
      } catch (err) {
        const reasons = cancelledTransaction(err)?.reasons;
        if (!reasons) throw err;
        const failed = reasons.findIndex((r) => r.code === 'ConditionalCheckFailed');
        // A marker is there: this member's entries were folded before (by a retry or a twin run).
        if (failed >= 0 && failed < markers.length) return 0;
        if (failed >= markers.length && failed < bookAt) throw new FoldMovedError('a pickup changed meanwhile');
        if (failed === bookAt && bookAt < pointsAt) throw new FoldMovedError('the member book changed meanwhile');
        if (failed >= pointsAt) throw new FoldMovedError('the points changed meanwhile');
        throw err;
      }
    },
    { retries: 10, baseMs: 5, retryOn: (err) => isTransientConflict(err) || err instanceof FoldMovedError },
  );
  // The referrers' points, each once by its ref (so a repeated fold adds nothing).
  if (referrals.length > 0) await earnPoints(db, communityId, referrals, at);
  return folded;
}

/** What a settlement's entries of one member earn their referrers. */
function entryEarnings(scope: FoldScope, userId: string, entries: readonly EntryRecord[]): Earning[] {
  const { def, settlement, rules } = scope;
  return entries.flatMap((e) =>
    settlementEarnings(
      rules,
      { id: e.id, campaignId: def.id, userId },
      { succeeded: settlement.status !== 'failed', paidOnTime: def.paymentMode === 'wechatpay', referrerId: e.referredBy ?? null },
    ),
  );
}

async function earnReferrals(db: DbContext, scope: FoldScope, userId: string, entries: readonly EntryRecord[]): Promise<void> {
  const referrals = entryEarnings(scope, userId, entries).filter((e) => e.userId !== userId);
  if (referrals.length > 0) await earnPoints(db, scope.communityId, referrals, scope.settlement.settledAt);
}

/** The member book's share of the fold: created (a buyer who never joined stands as `customer`) or added to. */
function bookWrite(
  tableName: string,
  communityId: string,
  userId: string,
  nickname: string,
  book: BookRead,
  kind: ReturnType<typeof purchaseKind>,
  markers: readonly FoldedEntry[],
  now: string,
): TransactItem {
  const adds: Adds = {
    b_campaigns: 1,
    b_units: markers.reduce((s, m) => s + m.units, 0),
    b_amount: markers.reduce((s, m) => s + m.amount, 0),
    b_pickups: markers.filter((m) => m.foldPicked).length,
    b_folds: 1,
  };
  const write = addUpdate(
    tableName,
    keys.communityMember(communityId, userId),
    adds,
    {
      type: 'communityMember',
      communityId,
      userId,
      status: 'customer',
      role: 'member',
      following: false,
      joinedAt: kind.firstJoinAt,
      updatedAt: now,
      nickname,
    },
    {
      setAlways: { firstJoinAt: kind.firstJoinAt, lastJoinAt: kind.lastJoinAt },
      condition: book.exists
        ? book.folds === 0
          ? 'attribute_exists(pk) AND attribute_not_exists(b_folds)'
          : 'b_folds = :folds'
        : 'attribute_not_exists(pk)',
      ...(book.exists && book.folds > 0 ? { values: { ':folds': book.folds } } : {}),
    },
  );
  return write;
}

/** Every marker of the campaign (one paged, consistent Query of its FOLDED# items). */
export async function foldedEntries(db: DbContext, campaignId: string): Promise<FoldedEntry[]> {
  const out: FoldedEntry[] = [];
  for await (const item of queryCampaignPrefix(db, keys.campaignPartition(campaignId), keys.foldedEntryPrefix()))
    out.push(item as unknown as FoldedEntry);
  return out;
}

/** At most this many days of a campaign's share-page views go to the community's days (a transaction holds 100 writes). */
const MAX_VIEW_DAYS = 90;

/**
 * The campaign's numbers and its share of the community's, from its markers' fold-time facts
 * (later pickups, refunds and no-shows add themselves), in ONE transaction conditioned on the
 * campaign's `foldedAt`: written once, whatever runs twice.
 */
async function foldTotals(db: DbContext, def: CampaignDefinition, settlement: SettlementSummary, communityId: string): Promise<boolean> {
  const markers = await foldedEntries(db, def.id);
  const numbersRead = await db.doc.send(
    new GetCommand({ TableName: db.tableName, Key: keys.campaignNumbers(def.id), ConsistentRead: true }),
  );
  if (numbersRead.Item?.foldedAt) return false;
  const succeeded = settlement.status !== 'failed';
  const day = shanghaiDay(settlement.settledAt);
  const c: Adds = {
    purchases: 0,
    newMembers: 0,
    returning: 0,
    repeat30: 0,
    repeat90: 0,
    entries: markers.length,
    units: 0,
    revenue: 0,
    pickups: 0,
  };
  const campaignAdds: Adds = {};
  const itemAdds: Adds = {};
  const pointAdds: Adds = {};
  const add = (to: Adds, name: string, n: number) => {
    to[name] = (to[name] ?? 0) + n;
  };
  const itemName = (id: string) => def.items.find((i) => i.id === id)?.name ?? id;
  for (const m of markers) {
    if (m.member) {
      c.purchases! += 1;
      if (m.isNew) c.newMembers! += 1;
      if (m.returning) c.returning! += 1;
      if (m.repeat30) c.repeat30! += 1;
      if (m.repeat90) c.repeat90! += 1;
    }
    c.units! += m.units;
    c.revenue! += m.amount;
    if (m.foldPicked) c.pickups! += 1;
    for (const [itemId, line] of Object.entries(m.items)) {
      add(campaignAdds, `${ATTR.itemUnits}${itemId}`, line.qty);
      add(campaignAdds, `${ATTR.itemAmount}${itemId}`, line.amount);
      add(itemAdds, `${ATTR.itemUnits}${itemName(itemId)}`, line.qty);
      add(itemAdds, `${ATTR.itemAmount}${itemName(itemId)}`, line.amount);
    }
    add(campaignAdds, `${ATTR.pointEntries}${m.pointId}`, 1);
    add(campaignAdds, `${ATTR.pointUnits}${m.pointId}`, m.units);
    add(campaignAdds, `${ATTR.pointAmount}${m.pointId}`, m.amount);
    if (m.foldPicked) add(campaignAdds, `${ATTR.pointPickups}${m.pointId}`, 1);
    add(pointAdds, `${ATTR.pointEntries}${m.pointName}`, 1);
    add(pointAdds, `${ATTR.pointUnits}${m.pointName}`, m.units);
    add(pointAdds, `${ATTR.pointAmount}${m.pointName}`, m.amount);
  }
  // Share-page views up to now move into the community's days (later views stay the campaign's).
  const views = Object.entries(numbersRead.Item ?? {})
    .filter(([name, n]) => name.startsWith(ATTR.viewsOn) && typeof n === 'number' && n > 0)
    .map(([name, n]) => [name.slice(ATTR.viewsOn.length), n as number] as const)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const viewDays = views.slice(-MAX_VIEW_DAYS);
  const olderViews = views.slice(0, -MAX_VIEW_DAYS).reduce((s, [, n]) => s + n, 0);
  const viewsTotal = views.reduce((s, [, n]) => s + n, 0);
  // A failed group sold nothing: the community's numbers leave it out (its own numbers say it failed).
  const community: Adds = succeeded ? { ...c, campaigns: 1, views: viewsTotal } : {};
  const base = { type: 'communityStats', communityId };
  const writes: TransactItem[] = [
    addUpdate(
      db.tableName,
      keys.campaignNumbers(def.id),
      { ...c, ...campaignAdds },
      { type: 'campaignNumbers', campaignId: def.id, communityId },
      {
        condition: 'attribute_not_exists(foldedAt)',
        setAlways: {
          foldedAt: db.clock.now().toISOString(),
          settledAt: settlement.settledAt,
          status: settlement.status,
          viewsFolded: viewsTotal,
        },
      },
    ),
    addUpdate(db.tableName, keys.communityStatsTotal(communityId), community, base),
  ];
  if (succeeded) {
    // A transaction may touch an item once: the settle day's own views go into that day's one update.
    const viewsOn = new Map(viewDays);
    const settleDayViews = olderViews + (viewsOn.get(day) ?? 0);
    viewsOn.delete(day);
    writes.push(
      addUpdate(db.tableName, keys.communityStatsDay(communityId, day), { ...c, campaigns: 1, views: settleDayViews }, { ...base, day }),
      addUpdate(db.tableName, keys.communityStatsItems(communityId), itemAdds, base),
      addUpdate(db.tableName, keys.communityStatsPoints(communityId), pointAdds, base),
      ...[...viewsOn].map(([viewDay, n]) =>
        addUpdate(db.tableName, keys.communityStatsDay(communityId, viewDay), { views: n }, { ...base, day: viewDay }),
      ),
    );
  }
  try {
    await db.doc.send(new TransactWriteCommand({ TransactItems: writes }));
    return true;
  } catch (err) {
    // Written by a twin run first.
    if (cancelledTransaction(err)?.reasons[0]?.code === 'ConditionalCheckFailed') return false;
    throw err;
  }
}

async function deleteFoldDue(db: DbContext, campaignId: string): Promise<void> {
  await db.doc.send(new DeleteCommand({ TableName: db.tableName, Key: keys.foldDue(campaignId) }));
}
