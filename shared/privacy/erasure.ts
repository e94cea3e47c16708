import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { anonymiseMember } from '../communities/index.js';
import { forgetFeedback } from '../feedback/index.js';
import { registerErasure } from '../people/index.js';
import { forgetTitles } from '../points/index.js';
import type { DbContext } from '../table/index.js';
import { conditionFailure, GSI_BY_OWNER, GSI_DUE, indexKeys, keys, queryCampaignPrefix } from '../table/index.js';
import { communitiesOf } from './communities-of.js';
import { ownerItems } from './owner-items.js';

/** What an erased member's lines show in every list, settlement and CSV. */
export const ERASED_NICKNAME = '已注销用户';

/**
 * How long after an erasure the sweep walks the user's entries once more: long past gsi1's lag (an
 * entry written just before DELETE /me may not be in the index yet), and the deadline by which the
 * sweep finishes an erasure that was interrupted and never retried.
 */
export const ERASURE_RECHECK_MS = 10 * 60_000;

export interface ErasureReport {
  entries: number;
  claims: number;
  profileDeleted: boolean;
}

/**
 * DELETE /me: erase the user's personal data, keeping what other people's records need. Every step
 * is idempotent and the steps run in an order that a retry (DELETE /me again, or the sweep) can
 * always finish from wherever an earlier run stopped:
 *  1. the user item is marked `erasingAt` and put on the sweep's ERASURE timeline (gsi2): from now
 *     on its tokens only work for DELETE /me, logins of its openid get a new user, and the sweep
 *     finishes the erasure if nobody retries it. Its data stays until step 4, so a retry still has it.
 *  2. LOGIN#<openid>, when it names this user, is deleted: the openid never leads back to this id.
 *  3. per entry of the user (gsi1 `PARTICIPANT#<userId>`): first the claim (`MEMBER#<userId>`) of
 *     its campaign loses its request hash and every Idempotency-Key record (`idem_…`: request hashes
 *     derived from phone and note), then the entry gets nickname ERASED_NICKNAME, phone and note
 *     null, and loses its gsi1 keys. The index keys go last, so an entry still in the index always
 *     leads a retry to its claim too. Items, quantities, seq and status stay, so lists stay
 *     numbered and settlements keep their amounts and counts. Before that, the feedback
 *     (shared/feedback): each review of those entries loses text, photos and nickname (its rating
 *     still counts), each survey response its answers and index keys (the results stay).
 *  4. the user item is replaced by a tombstone (id and erasedAt only): nickname, avatar, openid and
 *     unionid are gone, and every token issued before is refused for good (the id is never reused).
 * The pseudonymous user id remains on entries and claims. Campaigns the user leads stay (they hold
 * other members' entries); their definitions hold no personal data of the leader but the id.
 * `recheck` leaves the tombstone on the ERASURE timeline for one more walk by the sweep (entries
 * gsi1 did not show yet); the sweep's own pass clears it.
 */
export async function eraseUser(db: DbContext, userId: string, opts: { recheck?: boolean } = {}): Promise<ErasureReport> {
  const now = db.clock.now();
  // Registered first: a crash after this leaves a name the bearer check reads in full (still active), never the reverse.
  await registerErasure(db, userId, now);
  const begun = await beginErasure(db, userId, now);
  if (typeof begun?.openid === 'string') await forgetLogin(db, begun.openid, userId);

  let entries = 0;
  let claims = 0;
  // Pages are read first and updated after, so removing the index keys cannot disturb the paging.
  const found: Array<{ campaignId: string; seq: number; id: string }> = [];
  for await (const item of ownerItems(db, indexKeys.participantPartition(userId))) {
    if (item.type === 'entry') found.push({ campaignId: item.campaignId as string, seq: item.seq as number, id: item.id as string });
  }
  // Feedback before the entries lose their index keys: a retry still finds the reviews through them.
  await forgetFeedback(db, userId, found, ERASED_NICKNAME);
  const claimsDone = new Set<string>();
  for (const e of found) {
    if (!claimsDone.has(e.campaignId)) {
      if (await scrubClaim(db, e.campaignId, userId)) claims++;
      await scrubAfterSales(db, e.campaignId, userId, now.toISOString());
      claimsDone.add(e.campaignId);
    }
    if (await anonymiseEntry(db, e.campaignId, e.seq, userId, now.toISOString())) entries++;
  }

  // Points keep their numbers (no personal data but the pseudonymous id); the title leaves the public map.
  const communities = await communitiesOf(
    db,
    userId,
    found.map((e) => e.campaignId),
  );
  await forgetTitles(db, userId, communities);
  // The member book keeps the person counted, anonymous: no name, no notes or tags.
  for (const communityId of communities) await anonymiseMember(db, communityId, userId, ERASED_NICKNAME);

  const profileDeleted = await writeTombstone(db, userId, now, opts.recheck ?? true);
  return { entries, claims, profileDeleted };
}

/** Step 1: the item as it is now (with the openid step 2 needs), or null when it is already a tombstone. */
async function beginErasure(db: DbContext, userId: string, now: Date): Promise<Record<string, unknown> | null> {
  try {
    const out = await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.user(userId),
        // A user without an item (a token minted elsewhere) gets one: the marker is what a retry and the sweep find.
        UpdateExpression: 'SET #type = :type, #id = :id, #erasingAt = if_not_exists(#erasingAt, :now), #dpk = :dpk, #dsk = :dsk',
        ConditionExpression: 'attribute_not_exists(#erasedAt)',
        ExpressionAttributeNames: {
          '#type': 'type',
          '#id': 'id',
          '#erasingAt': 'erasingAt',
          '#erasedAt': 'erasedAt',
          '#dpk': GSI_DUE.partitionKey,
          '#dsk': GSI_DUE.sortKey,
        },
        ExpressionAttributeValues: {
          ':type': 'user',
          ':id': userId,
          ':now': now.toISOString(),
          ...dueValues(userId, now),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return out.Attributes ?? null;
  } catch (err) {
    if (conditionFailure(err)) return null; // erased before: this is a recheck, steps 3-4 only
    throw err;
  }
}

function dueValues(userId: string, now: Date) {
  const due = indexKeys.erasureDue(new Date(now.getTime() + ERASURE_RECHECK_MS).toISOString(), userId);
  return { ':dpk': due[GSI_DUE.partitionKey], ':dsk': due[GSI_DUE.sortKey] };
}

/** Step 2: only the mapping that names this user; a newer login's mapping is someone else's. */
async function forgetLogin(db: DbContext, openid: string, userId: string): Promise<void> {
  try {
    await db.doc.send(
      new DeleteCommand({
        TableName: db.tableName,
        Key: keys.login(openid),
        ConditionExpression: '#userId = :userId',
        ExpressionAttributeNames: { '#userId': 'userId' },
        ExpressionAttributeValues: { ':userId': userId },
      }),
    );
  } catch (err) {
    if (!conditionFailure(err)) throw err;
  }
}

/** An Idempotency-Key record on a claim (shared/entries/commands.ts idempotencyAttribute). */
const isKeyRecord = (attribute: string) => attribute.startsWith('idem_');
/** A household slot's claim (`slot<k>`, shared/entries/slots.ts), which holds a request hash too. */
const isSlot = (attribute: string) => /^slot[1-9][0-9]*$/.test(attribute);

/**
 * Step 3a: the claim keeps its tokens and states (entries per user, the cancel's condition) and loses
 * every request hash, of slot 0 and of every household slot (shared/entries/slots.ts: all on this
 * one item, so the user's other entries in the campaign are covered too): a hash of a body that
 * holds the phone is as good as the phone, since all numbers can be hashed in seconds. True when
 * there was something to remove.
 */
async function scrubClaim(db: DbContext, campaignId: string, userId: string): Promise<boolean> {
  const key = keys.member(campaignId, userId);
  const claim = (await db.doc.send(new GetCommand({ TableName: db.tableName, Key: key, ConsistentRead: true }))).Item;
  if (!claim) return false;
  const records = Object.keys(claim).filter(isKeyRecord);
  const slots = Object.keys(claim).filter((a) => isSlot(a) && (claim[a] as { requestHash?: string }).requestHash !== 'erased');
  if (claim.requestHash === 'erased' && records.length === 0 && slots.length === 0 && claim.idempotencyKey === undefined) return false;
  const names: Record<string, string> = { '#hash': 'requestHash', '#key': 'idempotencyKey' };
  records.forEach((attribute, i) => {
    names[`#r${i}`] = attribute;
  });
  slots.forEach((attribute, i) => {
    names[`#s${i}`] = attribute;
  });
  const sets = ['#hash = :erased', ...slots.map((_, i) => `#s${i}.#hash = :erased`)];
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: key,
        UpdateExpression: `SET ${sets.join(', ')} REMOVE ${['#key', ...records.map((_, i) => `#r${i}`)].join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':erased': 'erased' },
      }),
    );
    return true;
  } catch (err) {
    if (conditionFailure(err)) return false;
    throw err;
  }
}

/**
 * Step 3a': the member's after-sale requests (售后) keep their items, amounts and decisions for the
 * accounts, but lose the reason and the photo keys, which the member wrote and may describe them.
 * Before the entry leaves the user's index, so an interrupted erasure comes back here.
 */
async function scrubAfterSales(db: DbContext, campaignId: string, userId: string, now: string): Promise<void> {
  for await (const item of queryCampaignPrefix(db, keys.campaignPartition(campaignId), keys.afterSalePrefix())) {
    if (item.userId !== userId || item.erasedAt) continue;
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: { pk: item.pk as string, sk: item.sk as string },
        UpdateExpression: 'SET reason = :empty, photos = :none, erasedAt = :now',
        ExpressionAttributeValues: { ':empty': '', ':none': [], ':now': now },
      }),
    );
  }
}

/** Step 3b: the line stays for the leader's accounting, anonymous and out of the user's index. */
async function anonymiseEntry(db: DbContext, campaignId: string, seq: number, userId: string, now: string): Promise<boolean> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.entry(campaignId, seq),
        UpdateExpression:
          'SET #nickname = :erased, #phone = :null, #note = :null, #erasedAt = :now, #version = #version + :one REMOVE #g1pk, #g1sk',
        ConditionExpression: 'attribute_exists(pk) AND #userId = :userId',
        ExpressionAttributeNames: {
          '#nickname': 'nickname',
          '#phone': 'phone',
          '#note': 'note',
          '#erasedAt': 'erasedAt',
          '#version': 'version',
          '#userId': 'userId',
          '#g1pk': GSI_BY_OWNER.partitionKey,
          '#g1sk': GSI_BY_OWNER.sortKey,
        },
        ExpressionAttributeValues: { ':erased': ERASED_NICKNAME, ':null': null, ':now': now, ':one': 1, ':userId': userId },
      }),
    );
    return true;
  } catch (err) {
    if (conditionFailure(err)) return false;
    throw err;
  }
}

/**
 * Step 4: the whole item replaced, so no field of the profile can survive. True when it still held
 * the profile (nickname, openid), i.e. this run deleted it.
 */
async function writeTombstone(db: DbContext, userId: string, now: Date, recheck: boolean): Promise<boolean> {
  const key = keys.user(userId);
  const current = (await db.doc.send(new GetCommand({ TableName: db.tableName, Key: key, ConsistentRead: true }))).Item;
  const erasedAt = typeof current?.erasedAt === 'string' ? current.erasedAt : now.toISOString();
  const due = recheck ? indexKeys.erasureDue(new Date(now.getTime() + ERASURE_RECHECK_MS).toISOString(), userId) : {};
  const out = await db.doc.send(
    new PutCommand({ TableName: db.tableName, Item: { ...key, type: 'user', id: userId, erasedAt, ...due }, ReturnValues: 'ALL_OLD' }),
  );
  const old = out.Attributes;
  return old !== undefined && (old.nickname !== undefined || old.openid !== undefined);
}
