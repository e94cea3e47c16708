import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type CampaignSnapshot, closeCampaign, requireCampaign } from '../campaigns/index.js';
import type { CampaignDefinition } from '../domain/index.js';
import {
  ActiveTotals,
  canSettle,
  type Settlement,
  type SettlementEntry,
  type SettlementSummary,
  settleEntry,
  summarizeTotals,
} from '../domain/index.js';
import { allEntries, heldSlots, JOIN_LEASE_MS, listEntries, putVoidLine } from '../entries/index.js';
import { ConflictError, InvalidStateError, NotFoundError } from '../errors.js';
import type { DbContext } from '../table/index.js';
import {
  cancelledTransaction,
  conditionFailure,
  type EntryRecord,
  entryIds,
  foldDuePut,
  GSI_DUE,
  isTransientConflict,
  keys,
  type MemberRecord,
  outboxPut,
  SORT,
  type StateRecord,
  settlementItem,
  sleep,
  toEntry,
  withRetry,
} from '../table/index.js';
import { refundPlanPut } from './refund-plan.js';

/** An active line of a real entry: what a settlement bills (not cancelled, not a crashed join's void line). */
const isBillable = (e: EntryRecord) => e.status === 'active' && !e.void;
/** A line whose units the counters hold: billable, or a prepaid join waiting for its payment. */
const holdsUnits = (e: EntryRecord) => isBillable(e) || e.status === 'pending_payment';

export interface RepairReport {
  /** numbers taken by joins that died before writing their entry, now shown as void lines */
  holesFilled: number[];
  /** claims of dead joins (no entry, past the lease): their numbers are voided, so no entry lands late */
  claimsTombstoned: number;
  /** true when the counters differed from the entries and were rewritten */
  countersRewritten: boolean;
  /** quantities and count of the active entries, for the settlement */
  totals: ActiveTotals;
  /** the STATE version `totals` hold for: a settlement commits only while it is still this one */
  version: number;
}

/**
 * Make the counters and the list agree with the entries, after joins that died between their
 * writes (see shared/entries/entries.ts). Safe at any time, also while joins run:
 *  - a number without a line (a hole, or a takeover's tombstone) belongs to a join that is either
 *    in flight (a held claim without entry, younger than the lease: wait) or dead. A dead join's
 *    number gets the void, cancelled line (numbers are never reused); since entries are keyed by
 *    their number, that line is also what keeps the join's entry from ever landing late;
 *  - sold, remaining and participants are recomputed from the active entries and written only if
 *    no counter changed since we read them (version check), so a concurrent join is never lost.
 */
export async function repairCampaign(db: DbContext, def: CampaignDefinition, maxWaitMs = 3000): Promise<RepairReport> {
  const started = Date.now();
  let claimsTombstoned = 0;
  for (;;) {
    const state = await readState(db, def.id);
    // One pass over the list keeps only numbers, tokens and running totals, not the entries.
    const seen = new Set<number>();
    const tokens = new Set<string>();
    const totals = new ActiveTotals();
    const held = new ActiveTotals();
    for await (const e of allEntries(db, def.id)) {
      seen.add(e.seq);
      const parsed = entryIds.parse(e.id);
      if (parsed) tokens.add(parsed.token);
      if (isBillable(e)) totals.add(e);
      if (holdsUnits(e)) held.add(e);
    }
    const holes: number[] = [];
    for (let seq = 1; seq <= state.seq; seq++) if (!seen.has(seq)) holes.push(seq);

    if (holes.length > 0) {
      // Which joins own these numbers? Those holding a claim whose entry is missing.
      const missing = (await heldClaims(db, def.id)).filter((c) => !tokens.has(c.token));
      const now = db.clock.now().getTime();
      const inFlight = missing.filter((c) => now - Date.parse(c.createdAt) <= JOIN_LEASE_MS);
      if (inFlight.length > 0) {
        if (Date.now() - started > maxWaitMs)
          throw new ConflictError('Joins are still being written; retry shortly', { inFlight: inFlight.length });
        await sleep(100);
        continue;
      }
      // Every join that took one of these numbers is dead (past its lease, it takes no number and
      // writes no first entry any more). Voiding a number fails only if its entry landed just now.
      let raced = false;
      for (const seq of holes) if (!(await fillHole(db, def.id, seq))) raced = true;
      if (raced) continue;
      claimsTombstoned += missing.length;
    }

    const rewritten = await rewriteCounters(db, def, state, held);
    if (rewritten === 'conflict') continue;
    // STATE was read before the entries, and every write that changes what they sum bumps its
    // version in its own transaction: the same version at commit means no such write came between.
    const version = rewritten === 'rewritten' ? state.version + 1 : state.version;
    return { holesFilled: holes, claimsTombstoned, countersRewritten: rewritten === 'rewritten', totals, version };
  }
}

async function readState(db: DbContext, campaignId: string): Promise<StateRecord> {
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.campaignState(campaignId), ConsistentRead: true }));
  if (!out.Item) throw new NotFoundError(`No campaign ${campaignId}`);
  return out.Item as StateRecord;
}

/**
 * Every held claim of the campaign, one per held slot: a household member's slots 1..N-1 are maps
 * on their one claim item (shared/entries/slots.ts), so the filter is done here, not by DynamoDB
 * (a filter saves no read units anyway).
 */
async function heldClaims(db: DbContext, campaignId: string): Promise<Array<Pick<MemberRecord, 'token' | 'createdAt'>>> {
  const claims: Array<Pick<MemberRecord, 'token' | 'createdAt'>> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :member)',
        ExpressionAttributeValues: { ':pk': keys.campaignPartition(campaignId), ':member': SORT.memberPrefix },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of out.Items ?? []) for (const { claim } of heldSlots(item)) claims.push(claim);
    start = out.LastEvaluatedKey;
  } while (start);
  return claims;
}

/** The void line at a number: true once written, false if a line is there already. */
async function fillHole(db: DbContext, campaignId: string, seq: number): Promise<boolean> {
  try {
    await db.doc.send(new PutCommand(putVoidLine(db.tableName, campaignId, seq, db.clock.now().toISOString())));
    return true;
  } catch (err) {
    if (!conditionFailure(err)) throw err;
    return false;
  }
}

async function rewriteCounters(
  db: DbContext,
  def: CampaignDefinition,
  state: StateRecord,
  totals: ActiveTotals,
): Promise<'unchanged' | 'rewritten' | 'conflict'> {
  const sold: Record<string, number> = {};
  const remaining: Record<string, number> = {};
  for (const item of def.items) sold[item.id] = totals.quantity.get(item.id) ?? 0;
  for (const item of def.items) if (item.stock !== null) remaining[item.id] = item.stock - (sold[item.id] ?? 0);
  const same =
    state.participants === totals.entryCount &&
    def.items.every((i) => (state.sold[i.id] ?? 0) === sold[i.id] && (i.stock === null || state.remaining[i.id] === remaining[i.id]));
  if (same) return 'unchanged';
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.campaignState(def.id),
        UpdateExpression: 'SET #sold = :sold, #remaining = :remaining, #participants = :participants, #version = #version + :one',
        ConditionExpression: '#version = :v',
        ExpressionAttributeNames: { '#sold': 'sold', '#remaining': 'remaining', '#participants': 'participants', '#version': 'version' },
        ExpressionAttributeValues: {
          ':sold': sold,
          ':remaining': remaining,
          ':participants': totals.entryCount,
          ':v': state.version,
          ':one': 1,
        },
      }),
    );
    return 'rewritten';
  } catch (err) {
    if (conditionFailure(err)) return 'conflict';
    throw err;
  }
}

/** How often settlement sums again when entries keep changing under it (payments arriving) before answering 409. */
export const SETTLE_ATTEMPTS = 8;

/**
 * Settle once: freeze the list (stored status closed, so no join passes, whatever its clock),
 * account for every number handed out, compute from the active entries, and store summary, status,
 * the removal from the open-campaigns index and (prepaid campaigns) the marker that refunds are owed
 * in one transaction. Repeats return the stored one.
 *
 * A closed campaign still takes payments of held entries (the member paid in time; refusing would
 * refund a buyer who did nothing wrong), and each one turns an entry active. So the commit is
 * conditioned on the STATE version the sums were read at: a payment (or expiry) in between fails
 * it, and the entries are summed again, so the stored settlement is always what was billed.
 */
export async function settleCampaign(db: DbContext, campaignId: string, read?: CampaignSnapshot): Promise<SettlementSummary> {
  const snapshot = read ?? (await requireCampaign(db, campaignId));
  if (snapshot.settlement) return snapshot.settlement;
  if (snapshot.state.status === 'cancelled') throw calledOff();
  const now = db.clock.now();
  if (!canSettle(snapshot.def, snapshot.state, now)) {
    throw new InvalidStateError('The campaign is still open: close it first or wait for its deadline', { status: snapshot.state.status });
  }
  if (snapshot.state.status === 'open') await closeCampaign(db, campaignId);
  for (let attempt = 0; attempt < SETTLE_ATTEMPTS; attempt++) {
    const { totals, version } = await repairCampaign(db, snapshot.def);
    const summary = summarizeTotals(snapshot.def, totals, now.toISOString());
    const stored = await storeSettlement(db, snapshot.def, summary, version);
    if (stored) return stored;
  }
  throw new ConflictError('The entries kept changing while the campaign was settled; retry', { attempts: SETTLE_ATTEMPTS });
}

/** The stored settlement (this one, or a concurrent settle's), or null when STATE moved on since `version` was read. */
async function storeSettlement(
  db: DbContext,
  def: CampaignDefinition,
  summary: SettlementSummary,
  version: number,
): Promise<SettlementSummary | null> {
  const campaignId = def.id;
  return withRetry<SettlementSummary | null>(
    async () => {
      try {
        await db.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: db.tableName,
                  Item: settlementItem.toItem(keys.settlement(campaignId), summary),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Update: {
                  TableName: db.tableName,
                  Key: keys.campaignState(campaignId),
                  UpdateExpression: 'SET #status = :status, #settledAt = :now, #version = #version + :one',
                  ConditionExpression: '#status = :closed AND #version = :v',
                  ExpressionAttributeNames: { '#status': 'status', '#settledAt': 'settledAt', '#version': 'version' },
                  ExpressionAttributeValues: {
                    ':status': summary.status,
                    ':now': summary.settledAt,
                    ':closed': 'closed',
                    ':one': 1,
                    ':v': version,
                  },
                  ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                },
              },
              {
                Update: {
                  TableName: db.tableName,
                  Key: keys.campaignMeta(campaignId),
                  UpdateExpression: 'REMOVE #g2pk, #g2sk',
                  ExpressionAttributeNames: { '#g2pk': GSI_DUE.partitionKey, '#g2sk': GSI_DUE.sortKey },
                },
              },
              // A prepaid campaign owes 退差价 / full refunds from this moment: the marker commits with it.
              ...(def.paymentMode === 'wechatpay' ? [refundPlanPut(db.tableName, campaignId, summary.settledAt)] : []),
              // A community's campaign is folded into its member book and numbers: the marker commits with it.
              ...(def.communityId ? [foldDuePut(db.tableName, campaignId, def.communityId, summary.settledAt)] : []),
              // Members hear how it went (subscribe messages): the outbox item commits with the settlement.
              outboxPut(db.tableName, {
                campaignId,
                eventId: 'settled',
                event: summary.status === 'failed' ? 'group-failed' : 'group-succeeded',
                at: summary.settledAt,
              }),
            ],
          }),
        );
        return summary;
      } catch (err) {
        const cancelled = cancelledTransaction(err);
        if (!cancelled) throw err;
        // A concurrent settle stored first: its settlement is the one.
        const stored = await getSettlementSummary(db, campaignId);
        if (stored) return stored;
        // Still closed, but an entry changed since the sums were read: sum again.
        const state = cancelled.reasons[1];
        if (state?.code === 'ConditionalCheckFailed' && state.item?.status === 'closed') return null;
        if (state?.code === 'ConditionalCheckFailed' && state.item?.status === 'cancelled') throw calledOff();
        throw err;
      }
    },
    // Only a cancelled transaction that lost to a concurrent one is tried again (not a bare conflict error).
    { retries: 8, retryOn: (err) => cancelledTransaction(err) !== null && isTransientConflict(err) },
  );
}

const calledOff = () => new InvalidStateError('The leader called this campaign off: there is nothing to settle', { status: 'cancelled' });

export async function getSettlementSummary(db: DbContext, campaignId: string): Promise<SettlementSummary | null> {
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.settlement(campaignId), ConsistentRead: true }));
  return settlementItem.fromMaybe(out.Item);
}

/** Entries of a stored settlement, in 接龙 order; the list is frozen, so this is stable. */
export async function* settlementEntries(db: DbContext, summary: SettlementSummary) {
  for await (const e of allEntries(db, summary.campaignId)) {
    if (isBillable(e)) yield settleEntry(summary, toEntry(e));
  }
}

/**
 * One page of a stored settlement: the summary and up to `limit` of its entries in 接龙 order,
 * with the cursor of the next page (null on the last). A 20,000-entry campaign stays far below
 * Lambda's 6 MB response limit page by page.
 */
export async function settlementPage(
  db: DbContext,
  summary: SettlementSummary,
  limit: number,
  cursor?: string | null,
): Promise<Settlement & { nextCursor: string | null }> {
  const entries: SettlementEntry[] = [];
  let next: string | null | undefined = cursor;
  // Void lines (numbers of joins that died) are skipped, so read on until the page is full.
  do {
    const page = await listEntries(db, summary.campaignId, limit - entries.length, next);
    for (const e of page.items) if (isBillable(e)) entries.push(settleEntry(summary, toEntry(e)));
    next = page.nextCursor;
  } while (next && entries.length < limit);
  return { ...summary, entries, nextCursor: next ?? null };
}
