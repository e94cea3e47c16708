import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type CampaignDb, type CampaignSnapshot, queryOwnerIndex } from '../campaigns/index.js';
import type { CampaignDefinition, Entry, EntryLine } from '../domain/index.js';
import { CAMPAIGN_LIMITS, checkEntryLines, checkPickupPoint, notOpenReason, quantityDelta } from '../domain/index.js';
import {
  AlreadyJoinedError,
  BlockedError,
  CampaignNotOpenError,
  ConflictError,
  ForbiddenError,
  IdempotencyKeyReusedError,
  InvalidStateError,
  NotFoundError,
  SoldOutError,
  TooManyExpiredHoldsError,
} from '../errors.js';
import { newJoinToken } from '../ids.js';
import type { DbContext } from '../table/index.js';
import {
  backoff,
  batchGetAll,
  cancelledTransaction,
  conditionFailure,
  decodeCursor,
  type EntryRecord,
  encodeCursor,
  entryIds,
  indexKeys,
  isTransientConflict,
  keys,
  type MemberRecord,
  SORT,
  type StateRecord,
  sleep,
  toEntry,
  toState,
  withRetry,
} from '../table/index.js';
import {
  asTransactUpdate,
  claimMember,
  counterUpdate,
  type IdempotencyRecord,
  idempotencyAttribute,
  limitedItems,
  MAX_EXPIRED_HOLDS,
  putEntry,
  putTombstone,
  putVoidLine,
  releaseClaim,
  restoreClaim,
  ringPosition,
  seqAtRingPosition,
  takeOverClaim,
  updateEntry,
} from './commands.js';
import { type JoinRef, lineAt, locateJoin, requireEntry } from './lookup.js';
import { freeSlot, type StoredClaim, slotClaim, slotHolding, slotView } from './slots.js';

/**
 * How long a join may take between claiming the user's slot and writing its entry. A claim older
 * than this without an entry belongs to a join that died; it may be taken over, and repair may
 * account for it. Must exceed the Lambda timeout.
 */
export const JOIN_LEASE_MS = 30_000;

/** How often one household join may find its chosen free slot taken by another join of the same user and try the next. */
const MAX_SLOT_SWITCHES = 3 * CAMPAIGN_LIMITS.entriesPerUser;

export interface JoinRequest {
  userId: string;
  nickname: string;
  items: EntryLine[];
  note: string | null;
  pickupPointId: string | null;
  phone: string | null;
  idempotencyKey?: string;
  /** prepaid campaigns: the entry waits for its payment until then (status pending_payment) */
  holdUntil?: string;
  /** the user whose share brought this join (already resolved and never the joining user) */
  referredBy?: string;
  /** texts content security flagged for the leader (`note`) */
  contentReview?: string[];
  /** 代客下单: the leader or helper who entered it for a member without the mini-program (userId is then a guest id) */
  enteredBy?: string;
}

export interface JoinResult {
  entry: Entry;
  /** true when an Idempotency-Key retry was answered with the first request's entry */
  replayed: boolean;
}

export function requestHash(campaignId: string, req: JoinRequest): string {
  const canonical = JSON.stringify([campaignId, req.items.map((l) => [l.itemId, l.qty]), req.note, req.pickupPointId, req.phone]);
  return createHash('sha256').update(canonical).digest('base64url');
}

/**
 * Why the STATE counters refuse a change of `units` at `now`: not open (with the reason), or
 * which item is short and how much remains; null when they allow it. The one place these answers
 * are made, for early rejections from a read and for failed conditions (ALL_OLD) alike.
 */
function stateRejection(state: StateRecord, units: ReadonlyMap<string, number>, now: Date): Error | null {
  const reason = notOpenReason(state, state, now);
  if (reason) return new CampaignNotOpenError(`Campaign is not open (${reason})`, { reason, status: state.status });
  for (const [itemId, qty] of units) {
    const remaining = state.remaining?.[itemId];
    if (qty > 0 && remaining !== undefined && remaining < qty) return new SoldOutError(itemId, remaining, qty);
  }
  return null;
}

/** Turn a failed STATE condition (its ALL_OLD item) into the reason the caller needs. */
export function counterRejection(
  def: CampaignDefinition,
  old: Record<string, unknown> | undefined,
  units: ReadonlyMap<string, number>,
  now: Date,
): Error {
  if (!old) return new NotFoundError(`No campaign ${def.id}`);
  return stateRejection(old as unknown as StateRecord, units, now) ?? new ConflictError('The campaign changed while processing; retry');
}

function assertOpen(snapshot: CampaignSnapshot, now: Date): void {
  const rejection = stateRejection(snapshot.stateRecord, new Map(), now);
  if (rejection) throw rejection;
}

/**
 * Join the 接龙 list. Three conditional writes, in this order so that a rejected join changes
 * nothing and takes no number (see README "How a join stays correct"):
 *   1. claim   MEMBER#<user>   one active entry per slot; holds the join's token and Idempotency-Key
 *                              (slot 0, or in a household campaign the lowest free of 0..N-1: slots.ts)
 *   2. reserve #STATE          open? stock left? → take the next seq, add units, token into the ring
 *   3. entry   ENTRY#<seq>     the numbered line, id `e<seq>_<token>`
 * A rejection at 2 undoes 1. The claim is written before the number exists, so it names its join
 * by token; locateJoin finds the entry from it (ring, gsi1, or the list). A crash between steps
 * leaves a claim without entry, which a retry takes over after JOIN_LEASE_MS and repair
 * (shared/settlement/settle.ts) accounts for. Each step also recognizes its own earlier attempt (a response lost
 * after the write committed, retried by the SDK). A household join (N > 1) whose slot 0 is held
 * costs one more claim write (the failed slot-0 attempt, whose ALL_OLD shows the free slot), never
 * a read; a one-entry campaign's join is unchanged.
 */
export async function join(
  db: CampaignDb,
  snapshot: CampaignSnapshot,
  req: JoinRequest,
  /** when `snapshot` may be stale (cached): how to read it fresh before rejecting on its word */
  refresh?: () => Promise<CampaignSnapshot>,
): Promise<JoinResult> {
  const now = db.clock.now();
  const units = quantityDelta([], req.items);
  // Closed, sold out or an item/pickup point the definition lacks: reject without writing anything
  // (sold-out storms cost one read each), but only on the word of a fresh read, never the cache's.
  // A retry of a join that already succeeded is still answered with its entry.
  let early = earlyRejection(snapshot, req, units, now);
  // The user's claim, when already read along with a fresh STATE (undefined: not read yet).
  let claimRead: { item: StoredClaim | undefined } | undefined;
  if (early && refresh) {
    if (early instanceof SoldOutError || early instanceof CampaignNotOpenError) {
      // Counters are what said no: one consistent BatchGet of STATE and the user's claim confirms
      // it and has the claim at hand for an Idempotency-Key replay (a sold-out storm's whole cost).
      const fresh = await readStateAndClaim(db, snapshot.def.id, req.userId);
      if (fresh.state) {
        db.cache?.updateState(snapshot.def.id, fresh.state as unknown as Record<string, unknown>);
        snapshot = { ...snapshot, stateRecord: fresh.state, state: toState(fresh.state) };
        claimRead = { item: fresh.claim };
      } else snapshot = await refresh(); // the campaign is gone: let the full read say so
    } else snapshot = await refresh(); // the definition said no (an item added since?): read it all
    early = earlyRejection(snapshot, req, units, now);
  }
  const { def } = snapshot;
  const hash = requestHash(def.id, req);
  if (early) {
    if (req.idempotencyKey !== undefined) {
      const replay = await replayFromClaim(db, def.id, req, hash, claimRead);
      if (replay) return replay;
    }
    throw early;
  }

  const claim: MemberRecord = {
    userId: req.userId,
    token: newJoinToken(),
    state: 'held',
    requestHash: hash,
    createdAt: now.toISOString(),
    ...(req.idempotencyKey !== undefined ? { idempotencyKey: req.idempotencyKey } : {}),
  };

  const slots = def.maxEntriesPerUser ?? 1;
  // Slot 0 first, as a one-entry campaign does: no read. A household join that finds it held
  // learns every other slot from the failed condition's ALL_OLD and claims the lowest free one.
  let slot = 0;
  let previous: StoredClaim | undefined;
  // Each lost race for a free slot means another join of this user took it: progress, so the
  // budget is generous; it only bounds one member's own burst of simultaneous taps.
  let switches = 0;
  let gone = 0;
  // A claim that was in flight may turn out rejected and undone while we look at it: then claim again.
  // Not withRetry: what repeats here is an answer ('gone', another slot), not an error, and the other answers end the join.
  for (;;) {
    try {
      const out = await db.doc.send(new UpdateCommand(claimMember(db.tableName, def.id, claim, slot)));
      db.onCapacity?.('join.claim', out.ConsumedCapacity);
      previous = out.Attributes as StoredClaim | undefined;
      break;
    } catch (err) {
      const failure = conditionFailure(err);
      if (!failure) throw err;
      const existing = failure.item as unknown as StoredClaim;
      // Our own claim: the first attempt committed but its response was lost. Carry on from step 2.
      const ours = slotHolding(existing, claim.token);
      if (ours >= 0) {
        slot = ours;
        break;
      }
      const refusal = claimRefusal(existing, req, slots);
      if (refusal) throw refusal;
      // A household member's next entry: another slot is free (a concurrent join of theirs took this one).
      const free = keyRecord(existing, req.idempotencyKey) ? -1 : freeSlot(existing, slots);
      if (free >= 0 && switches < MAX_SLOT_SWITCHES) {
        switches++;
        slot = free;
        continue;
      }
      const answer = await answerFromExistingClaims(db, def, req, claim, existing, units);
      if (typeof answer === 'number') {
        slot = answer; // that slot's claim belonged to a join that died: taken over
        break;
      }
      if (answer === 'gone') {
        if (gone++ >= 3) throw new ConflictError('Another join of yours is being processed; retry shortly');
        continue;
      }
      return answer;
    }
  }
  return reserveAndWrite(db, def, req, claim, previous, units, slot);
}

/**
 * The claim's condition also refuses blocked members and members who let too many holds expire
 * (commands.ts claimMember). A retry of an earlier join (its Idempotency-Key is on the claim) is
 * still answered with that join's entry, unless the member is blocked.
 */
function claimRefusal(existing: StoredClaim, req: JoinRequest, slots: number): Error | null {
  if (existing.blockedAt !== undefined) return new BlockedError();
  const expired = existing.expiredHolds ?? 0;
  // With every slot held the answer is ALREADY_JOINED (or a replay), as ever.
  if (freeSlot(existing, slots) >= 0 && expired >= MAX_EXPIRED_HOLDS && !keyRecord(existing, req.idempotencyKey)) {
    return new TooManyExpiredHoldsError(expired, MAX_EXPIRED_HOLDS);
  }
  return null;
}

function earlyRejection(snapshot: CampaignSnapshot, req: JoinRequest, units: ReadonlyMap<string, number>, now: Date): Error | null {
  try {
    checkEntryLines(snapshot.def, req.items);
    checkPickupPoint(snapshot.def, req.pickupPointId);
  } catch (err) {
    return err as Error;
  }
  return stateRejection(snapshot.stateRecord, units, now);
}

/** STATE and the user's claim in one strongly consistent BatchGetItem. */
async function readStateAndClaim(
  db: DbContext,
  campaignId: string,
  userId: string,
): Promise<{ state: StateRecord | undefined; claim: StoredClaim | undefined }> {
  const stateKey = keys.campaignState(campaignId);
  const claimKey = keys.member(campaignId, userId);
  const found = await batchGetAll(db, [stateKey, claimKey], { consistent: true });
  return {
    state: found.find((i) => i.sk === stateKey.sk) as StateRecord | undefined,
    claim: found.find((i) => i.sk === claimKey.sk) as StoredClaim | undefined,
  };
}

function keyRecord(claim: StoredClaim | undefined, key: string | undefined): IdempotencyRecord | undefined {
  return claim && key !== undefined ? (claim[idempotencyAttribute(key)] as IdempotencyRecord | undefined) : undefined;
}

const refOf = (userId: string, r: { token: string; createdAt: string }): JoinRef => ({ userId, token: r.token, createdAt: r.createdAt });

async function replayFromClaim(
  db: DbContext,
  campaignId: string,
  req: JoinRequest,
  hash: string,
  claimRead?: { item: StoredClaim | undefined },
): Promise<JoinResult | null> {
  const claim = claimRead
    ? claimRead.item
    : ((await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.member(campaignId, req.userId), ConsistentRead: true })))
        .Item as StoredClaim | undefined);
  const earlier = keyRecord(claim, req.idempotencyKey);
  if (!earlier) return null;
  if (earlier.requestHash !== hash) throw new IdempotencyKeyReusedError();
  const where = await locateJoin(db, campaignId, refOf(req.userId, earlier));
  return where.kind === 'entry' ? { entry: toEntry(where.entry), replayed: true } : null;
}

/**
 * Every slot the join may take is held (slot 0 alone in a one-entry campaign). A known
 * Idempotency-Key is answered by the slot of its join (slot 0 when that join no longer holds one).
 * Otherwise each slot is asked in turn: a slot whose join is gone or dead ends the search (claim
 * again, or it is ours now: its number); only when every slot holds an entry is the answer
 * ALREADY_JOINED, naming the first.
 */
async function answerFromExistingClaims(
  db: DbContext,
  def: CampaignDefinition,
  req: JoinRequest,
  ours: MemberRecord,
  existing: StoredClaim,
  units: ReadonlyMap<string, number>,
): Promise<JoinResult | 'gone' | number> {
  const slots = def.maxEntriesPerUser ?? 1;
  // A slot taken over (its join died) is ours: the caller carries on in it.
  const ask = async (slot: number) => {
    const answer = await answerFromExistingClaim(db, def, req, ours, slotView(existing, slot), units, slot);
    return answer === 'taken-over' ? slot : answer;
  };
  const earlier = keyRecord(existing, req.idempotencyKey);
  if (earlier) return ask(Math.max(0, slotHolding(existing, earlier.token)));
  let first: string | undefined;
  for (let slot = 0; slot < slots; slot++) {
    try {
      return await ask(slot);
    } catch (err) {
      if (!(err instanceof AlreadyJoinedError)) throw err;
      first ??= err.entryId;
    }
  }
  throw new AlreadyJoinedError(first!, slots);
}

/**
 * Our claim met an existing one (the item seen as the claim of `slot`, slots.ts slotView). Answer
 * only from facts: an entry that exists (replay, or ALREADY_JOINED naming it), or a join that is
 * gone (rejected and undone: claim again) or dead (past its lease: take it over). A join still in
 * flight is waited for briefly, so a double tap never hears ALREADY_JOINED for an entry that then
 * does not exist.
 */
async function answerFromExistingClaim(
  db: DbContext,
  def: CampaignDefinition,
  req: JoinRequest,
  ours: MemberRecord,
  existing: StoredClaim,
  units: ReadonlyMap<string, number>,
  slot: number,
): Promise<JoinResult | 'gone' | 'taken-over'> {
  const earlier = keyRecord(existing, req.idempotencyKey);
  if (earlier && earlier.requestHash !== ours.requestHash) throw new IdempotencyKeyReusedError();
  if (!earlier && existing.state !== 'held') return 'gone';
  const ref = refOf(ours.userId, earlier ?? existing);
  if (earlier && earlier.token === existing.token) {
    // A retry of the claim's own join. If it took its number but never wrote the line (step 3
    // failed, or the process died), the ring still names the number: write the line now. If the
    // number was given up meanwhile, writeEntry finds that out and hands the units back.
    const where = await locateJoin(db, def.id, ref);
    if (where.kind === 'numbered' || where.kind === 'voided') {
      return writeEntry(db, def, entryRecord(def, req, ref.token, where.seq, ref.createdAt, slot), units, true);
    }
  }
  const outcome = await awaitJoin(db, def.id, ref);
  if (outcome !== 'pending' && outcome !== 'gone') {
    if (earlier) return { entry: toEntry(outcome), replayed: true };
    throw new AlreadyJoinedError(outcome.id);
  }
  if (outcome === 'gone') return 'gone';
  if (ref.token !== existing.token || !isStale(db, existing.createdAt)) {
    throw new ConflictError('Your earlier join is still being processed; retry shortly');
  }
  await takeOver(db, def.id, ours, existing, slot);
  return 'taken-over';
}

/**
 * Poll an in-flight join (its step 3 normally lands within milliseconds): its entry, or 'gone'
 * when its claim was undone (the join was rejected), or 'pending' after ~2 s or once it is stale.
 * The strongly consistent scan of the list (locateJoin's `deep`, for an earlier join that gsi1
 * does not show) waits until the fourth round and then runs every tenth: a double tap's first
 * join, in flight, is found by the ring as soon as it has a number, without reading the list.
 */
async function awaitJoin(db: DbContext, campaignId: string, ref: JoinRef): Promise<EntryRecord | 'gone' | 'pending'> {
  for (let i = 0; i < 40; i++) {
    const where = await locateJoin(db, campaignId, ref, i % 10 === 3 || i === 39);
    if (where.kind === 'entry') return where.entry;
    const claim = (
      await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.member(campaignId, ref.userId), ConsistentRead: true }))
    ).Item as StoredClaim | undefined;
    const slot = slotHolding(claim, ref.token);
    if (!claim || (slot < 0 && !Object.values(claim).some((v) => (v as IdempotencyRecord | null)?.token === ref.token))) return 'gone';
    if (slot >= 0 && slotClaim(claim, slot)?.state === 'released') return 'gone';
    if (isStale(db, ref.createdAt)) return 'pending';
    await sleep(50);
  }
  return 'pending';
}

function isStale(db: DbContext, claimedAt: string): boolean {
  return db.clock.now().getTime() - Date.parse(claimedAt) > JOIN_LEASE_MS;
}

/**
 * Take over a dead join's claim. If the ring still knows its number, a tombstone goes there first,
 * so that if that join was only paused, its step 3 can never land later. If the ring has forgotten
 * it, the join either never took a number (and never will: a join past its lease does not reserve
 * or write, see reserveAndWrite and writeEntry) or its number is a hole that repair voids.
 */
async function takeOver(db: DbContext, campaignId: string, ours: MemberRecord, stale: MemberRecord, slot: number): Promise<void> {
  const where = await locateJoin(db, campaignId, refOf(stale.userId, stale));
  if (where.kind === 'entry') throw new ConflictError('The earlier join finished after all; retry to see it');
  if (where.kind === 'numbered') {
    try {
      await db.doc.send(new PutCommand(putTombstone(db.tableName, campaignId, where.seq, stale.token, db.clock.now().toISOString())));
    } catch (err) {
      if (!conditionFailure(err)) throw err;
      if (await lineAt(db, campaignId, where.seq).then((l) => l?.id === entryIds.of(where.seq, stale.token))) {
        throw new ConflictError('The earlier join finished after all; retry to see it');
      }
    }
  }
  try {
    await db.doc.send(new UpdateCommand(takeOverClaim(db.tableName, campaignId, ours, stale.token, slot)));
  } catch (err) {
    if (conditionFailure(err)) throw new ConflictError('Another request took over this join first; retry');
    throw err;
  }
}

async function undoClaim(
  db: DbContext,
  campaignId: string,
  ours: MemberRecord,
  previous: StoredClaim | undefined,
  slot: number,
): Promise<void> {
  try {
    await db.doc.send(new UpdateCommand(restoreClaim(db.tableName, campaignId, ours, previous, slot)));
  } catch (err) {
    if (!conditionFailure(err)) throw err; // someone already took it over: nothing of ours to undo
  }
}

async function reserveAndWrite(
  db: CampaignDb,
  def: CampaignDefinition,
  req: JoinRequest,
  claim: MemberRecord,
  previous: StoredClaim | undefined,
  units: ReadonlyMap<string, number>,
  slot: number,
): Promise<JoinResult> {
  const now = db.clock.now();
  // Past its lease the claim may have been taken over without a tombstone (the number did not
  // exist yet): such a join must not take one now.
  if (isStale(db, claim.createdAt)) {
    await undoClaim(db, def.id, claim, previous, slot);
    throw new ConflictError('This join took too long and was abandoned; retry');
  }
  let seq: number;
  try {
    const out = await db.doc.send(
      new UpdateCommand(
        counterUpdate(db.tableName, def.id, {
          units,
          participants: 1,
          takeNumber: true,
          joinToken: claim.token,
          limited: limitedItems(def),
          requireOpenAt: now.toISOString(),
        }),
      ),
    );
    db.onCapacity?.('join.reserve', out.ConsumedCapacity);
    db.cache?.updateState(def.id, out.Attributes);
    seq = out.Attributes?.seq as number;
  } catch (err) {
    const failure = conditionFailure(err);
    db.cache?.updateState(def.id, failure?.item);
    const position = ringPosition(failure?.item, claim.token);
    if (failure && position >= 0) {
      // An earlier attempt of this very update committed (its response was lost): that is our number.
      seq = seqAtRingPosition(failure.item!.seq as number, position);
    } else {
      await undoClaim(db, def.id, claim, previous, slot);
      if (failure) throw counterRejection(def, failure.item, units, now);
      throw err;
    }
  }

  return writeEntry(db, def, entryRecord(def, req, claim.token, seq, claim.createdAt, slot), units, false);
}

/** The line a join writes; created at its claim's time, which is what locateJoin searches by. */
function entryRecord(def: CampaignDefinition, req: JoinRequest, token: string, seq: number, createdAt: string, slot: number): EntryRecord {
  return {
    id: entryIds.of(seq, token),
    campaignId: def.id,
    campaignTitle: def.title,
    seq,
    userId: req.userId,
    nickname: req.nickname,
    items: req.items,
    note: req.note,
    pickupPointId: req.pickupPointId,
    phone: req.phone,
    status: req.holdUntil ? 'pending_payment' : 'active',
    createdAt,
    updatedAt: createdAt,
    version: 1,
    ...(req.holdUntil ? { holdUntil: req.holdUntil } : {}),
    ...(req.referredBy ? { referredBy: req.referredBy } : {}),
    ...(req.contentReview && req.contentReview.length > 0 ? { contentReview: req.contentReview } : {}),
    ...(req.enteredBy ? { enteredBy: req.enteredBy } : {}),
    // Only household entries past slot 0 carry it: a one-entry campaign's lines stay as they were.
    ...(slot > 0 ? { slot } : {}),
  };
}

/**
 * Step 3. The number and the units are already ours, so a transient failure is retried here a few
 * more times beyond the SDK's own retries; if it still fails the client's retry with the same
 * Idempotency-Key resumes the join (answerFromExistingClaim). A first attempt (not a resume) that
 * finds itself past its lease gives up instead: its claim may have been taken over already.
 */
async function writeEntry(
  db: DbContext,
  def: CampaignDefinition,
  record: EntryRecord,
  units: ReadonlyMap<string, number>,
  replayed: boolean,
): Promise<JoinResult> {
  // Not withRetry: a failed condition here ends the join (abandon throws its own domain errors), only other failures repeat.
  for (let attempt = 0; ; attempt++) {
    if (attempt === 0 && !replayed && isStale(db, record.createdAt)) return abandon(db, def, record.seq, units);
    try {
      const out = await db.doc.send(new PutCommand(putEntry(db.tableName, record)));
      db.onCapacity?.('join.entry', out.ConsumedCapacity);
      return { entry: toEntry(record), replayed };
    } catch (err) {
      if (!conditionFailure(err)) {
        if (attempt < 3) {
          await sleep(backoff(attempt + 2));
          continue;
        }
        throw err;
      }
      const existing = await lineAt(db, def.id, record.seq);
      if (existing && existing.id === record.id) return { entry: toEntry(existing), replayed }; // our own write, response lost
      // Our number holds a tombstone (a takeover) or a void line (repair): this join was given up.
      return abandon(db, def, record.seq, units);
    }
  }
}

/**
 * Give an abandoned join's units back together with the void line for its number, in one
 * transaction: if repair already wrote that line, it has recounted without us, so nothing is
 * released twice.
 */
async function abandon(db: DbContext, def: CampaignDefinition, seq: number, units: ReadonlyMap<string, number>): Promise<never> {
  const release = counterUpdate(db.tableName, def.id, {
    units: negate(units),
    participants: -1,
    takeNumber: false,
    limited: limitedItems(def),
    requireOpenAt: null,
  });
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: putVoidLine(db.tableName, def.id, seq, db.clock.now().toISOString()) },
          { Update: asTransactUpdate(release) },
        ],
      }),
    );
  } catch (err) {
    if (cancelledTransaction(err)?.reasons[0]?.code !== 'ConditionalCheckFailed') throw err; // else repair owns this number
  }
  throw new ConflictError('This join took too long and was abandoned; retry');
}

function negate(units: ReadonlyMap<string, number>): Map<string, number> {
  return new Map([...units].map(([k, v]) => [k, -v]));
}

export interface EntryChange {
  items?: EntryLine[];
  note?: string | null;
  pickupPointId?: string | null;
  phone?: string | null;
  /** set with a new note: what content security flagged of it (empty: nothing, which clears an old flag) */
  contentReview?: string[];
}

/**
 * PATCH an entry: one transaction of the entry (guarded by its version) and the counters
 * (guarded by open window and stock for increases). A concurrent change of the same entry makes
 * the version check fail; we re-read and retry.
 */
export async function changeEntry(
  db: DbContext,
  snapshot: CampaignSnapshot,
  entryId: string,
  userId: string,
  change: EntryChange,
): Promise<Entry> {
  const { def } = snapshot;
  if (change.items) checkEntryLines(def, change.items);
  checkPickupPoint(def, change.pickupPointId);
  return withRetry(
    async () => {
      const now = db.clock.now();
      const current = await requireEntry(db, def.id, entryId);
      if (current.userId !== userId) throw new ForbiddenError('Only the entry owner can change it');
      assertOpen(snapshot, now);
      if (current.status !== 'active') {
        const why =
          current.status === 'pending_payment'
            ? 'An entry waiting for its payment cannot be changed: pay it, or cancel it and join again'
            : 'A cancelled or expired entry cannot be changed';
        throw new InvalidStateError(why, { status: current.status });
      }
      const units = change.items ? quantityDelta(current.items, change.items) : new Map<string, number>();
      const entryUpdate = updateEntry(db.tableName, def.id, current.seq, current.version, change, now.toISOString());
      const counters = counterUpdate(db.tableName, def.id, {
        units,
        participants: 0,
        takeNumber: false,
        limited: limitedItems(def),
        requireOpenAt: now.toISOString(),
      });
      try {
        await db.doc.send(
          new TransactWriteCommand({
            TransactItems: [{ Update: asTransactUpdate(entryUpdate) }, { Update: asTransactUpdate(counters) }],
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        return toEntry(afterUpdate(current, change, now.toISOString()));
      } catch (err) {
        const cancelled = cancelledTransaction(err);
        if (cancelled?.reasons[1]?.code === 'ConditionalCheckFailed') throw counterRejection(def, cancelled.reasons[1].item, units, now);
        throw err;
      }
    },
    { retries: 8, retryOn: entryMovedOn, onExhausted: () => new ConflictError('The entry kept changing; retry') },
  );
}

/**
 * The entry as `updateEntry` leaves it. Its condition (same version) guarantees nobody else wrote
 * in between, so the result is known without reading the item again.
 */
function afterUpdate(current: EntryRecord, fields: Partial<EntryRecord>, updatedAt: string): EntryRecord {
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  return { ...current, ...defined, version: current.version + 1, updatedAt };
}

/** The entry's version moved on since the read (or a concurrent transaction won): read again and retry. */
const entryMovedOn = (err: unknown) => isTransientConflict(err) || cancelledTransaction(err)?.reasons[0]?.code === 'ConditionalCheckFailed';

/**
 * Cancel an entry (owner or leader): the entry becomes cancelled (keeping its number), the user's
 * claim is released so they may join again, and the units go back to stock, all in one transaction.
 */
export async function cancelEntry(db: DbContext, snapshot: CampaignSnapshot, entryId: string, actorId: string): Promise<Entry> {
  const { def } = snapshot;
  return withRetry(
    async () => {
      const now = db.clock.now();
      const current = await requireEntry(db, def.id, entryId);
      if (current.userId !== actorId && def.leaderId !== actorId)
        throw new ForbiddenError('Only the entry owner or the leader can cancel it');
      if (current.status === 'cancelled' || current.status === 'expired') return toEntry(current); // DELETE is idempotent
      assertOpen(snapshot, now);
      const units = quantityDelta(current.items, []);
      try {
        await db.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: asTransactUpdate(
                  updateEntry(
                    db.tableName,
                    def.id,
                    current.seq,
                    current.version,
                    { status: 'cancelled' },
                    now.toISOString(),
                    current.status,
                  ),
                ),
              },
              {
                Update: asTransactUpdate(
                  releaseClaim(db.tableName, def.id, current.userId, entryIds.parse(current.id)!.token, current.slot ?? 0),
                ),
              },
              {
                Update: asTransactUpdate(
                  counterUpdate(db.tableName, def.id, {
                    units,
                    participants: -1,
                    takeNumber: false,
                    limited: limitedItems(def),
                    requireOpenAt: now.toISOString(),
                  }),
                ),
              },
            ],
          }),
        );
        return toEntry(afterUpdate(current, { status: 'cancelled' }, now.toISOString()));
      } catch (err) {
        const cancelled = cancelledTransaction(err);
        if (cancelled?.reasons[2]?.code === 'ConditionalCheckFailed') throw counterRejection(def, cancelled.reasons[2].item, units, now);
        throw err;
      }
    },
    { retries: 8, retryOn: entryMovedOn, onExhausted: () => new ConflictError('The entry kept changing; retry') },
  );
}

/**
 * The base table in 接龙 order (entries are keyed `ENTRY#<seq>`). Strongly consistent by default
 * (settlement, repair and staff must see every line); public pages pass `consistent: false`, at
 * half the read units: a member's own line already came back with their join. Tombstones (numbers
 * of given-up joins, until repair voids them) are not lines and are filtered out, so a page may
 * hold fewer than `limit`.
 */
export async function listEntries(
  db: DbContext,
  campaignId: string,
  limit: number,
  cursor?: string | null,
  opts: { consistent?: boolean } = {},
): Promise<{ items: EntryRecord[]; nextCursor: string | null }> {
  const pk = keys.campaignPartition(campaignId);
  // A cursor must point into this list's key range, or DynamoDB would refuse the query (500).
  const start = decodeCursor(cursor, { pk, skPrefix: SORT.entryPrefix });
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
      FilterExpression: '#type = :line',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':pk': pk, ':entry': SORT.entryPrefix, ':line': 'entry' },
      ConsistentRead: opts.consistent ?? true,
      Limit: limit,
      ExclusiveStartKey: start,
    }),
  );
  return { items: (out.Items ?? []) as EntryRecord[], nextCursor: encodeCursor(out.LastEvaluatedKey) };
}

/** Every line of a campaign in 接龙 order, page by page (settlement, repair). */
export async function* allEntries(db: DbContext, campaignId: string): AsyncGenerator<EntryRecord> {
  let cursor: string | null = null;
  do {
    const page = await listEntries(db, campaignId, 1000, cursor);
    yield* page.items;
    cursor = page.nextCursor;
  } while (cursor);
}

/** The user's entries across campaigns, newest first. */
export async function listUserEntries(db: DbContext, userId: string, limit: number, cursor?: string | null) {
  const page = await queryOwnerIndex(db, indexKeys.participantPartition(userId), limit, cursor);
  return { items: page.items as unknown as EntryRecord[], nextCursor: page.nextCursor };
}
