import { createHash, randomBytes } from 'node:crypto';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { CampaignDb, CampaignSnapshot } from '../campaigns/index.js';
import { AlreadyJoinedError, BlockedError, ConflictError, InvalidStateError, NotFoundError } from '../errors.js';
import { cancelledTransaction, type EntryRecord, entryIds, indexKeys, keys, type MemberRecord } from '../table/index.js';
import { asTransactUpdate, claimMember, releaseClaim } from './commands.js';
import { type JoinRequest, type JoinResult, join } from './entries.js';
import { entryForCode, type PickupKeys } from './entry-codes.js';
import { locateJoin } from './lookup.js';

/**
 * 代客下单: the leader or a helper enters an order a member placed in the group chat ("+1 要两份").
 * The entry is a join like any other, made for a guest id (`g_…`) instead of a user: it takes a
 * number, counts toward stock, tiers and per-person limits, and every invariant of the join holds
 * because it *is* the join. With an Idempotency-Key the guest id is derived from the staff member and
 * the key, so a retried request lands on the same claim and is answered with the same entry.
 * A claim code (an HMAC, like a pickup code) lets the member take the entry over later.
 */
export const GUEST_PREFIX = 'g_';
export const isGuestId = (id: string) => id.startsWith(GUEST_PREFIX);

export function guestId(campaignId: string, staffId: string, idempotencyKey: string | undefined): string {
  const tail =
    idempotencyKey === undefined
      ? randomBytes(12).toString('hex')
      : createHash('sha256').update(`${campaignId}\u0000${staffId}\u0000${idempotencyKey}`).digest('hex').slice(0, 24);
  return `${GUEST_PREFIX}${tail}`;
}

export interface StaffEntryRequest extends Omit<JoinRequest, 'userId' | 'enteredBy' | 'holdUntil' | 'referredBy'> {
  readonly staffId: string;
}

export async function enterForMember(db: CampaignDb, snapshot: CampaignSnapshot, req: StaffEntryRequest): Promise<JoinResult> {
  const { staffId, ...rest } = req;
  return join(db, snapshot, { ...rest, userId: guestId(snapshot.def.id, staffId, req.idempotencyKey), enteredBy: staffId });
}

/**
 * The member takes a staff entry over with its claim code: one transaction moves the entry to the
 * member (its owner index too), gives the member the campaign's claim (refused when they already
 * hold an entry here or are blocked: the one-entry rule holds) and releases the guest's. The entry
 * keeps its number, lines and payment; it must still be active and unclaimed.
 */
export async function claimStaffEntry(
  db: CampaignDb,
  codeKeys: PickupKeys,
  campaignId: string,
  code: string,
  member: { readonly id: string },
): Promise<EntryRecord> {
  const entry = await entryForCode(db, codeKeys, campaignId, code);
  if (!entry?.enteredBy) throw new NotFoundError('No entry has this claim code in this campaign');
  if (!isGuestId(entry.userId)) {
    if (entry.userId === member.id) return entry; // claimed by this member already: the same answer again
    throw new InvalidStateError('This entry was already claimed by someone else');
  }
  if (entry.status !== 'active') throw new InvalidStateError('Only an active entry can be claimed', { status: entry.status });
  const token = entryIds.parse(entry.id)!.token;
  const now = db.clock.now().toISOString();
  const claim: MemberRecord = { userId: member.id, token, state: 'held', requestHash: 'claimed', createdAt: now };
  const owner = indexKeys.entryByParticipant(member.id, entry.createdAt, entry.id) as Record<string, string>;
  const [gsiPk, gsiSk] = Object.keys(owner) as [string, string];
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: db.tableName,
              Key: keys.entry(campaignId, entry.seq),
              UpdateExpression: 'SET #userId = :member, #gpk = :gpk, #gsk = :gsk, #claimedAt = :now, #updatedAt = :now ADD #version :one',
              ConditionExpression: '#id = :id AND #userId = :guest AND #status = :active',
              ExpressionAttributeNames: {
                '#id': 'id',
                '#userId': 'userId',
                '#status': 'status',
                '#gpk': gsiPk,
                '#gsk': gsiSk,
                '#claimedAt': 'claimedAt',
                '#updatedAt': 'updatedAt',
                '#version': 'version',
              },
              ExpressionAttributeValues: {
                ':id': entry.id,
                ':member': member.id,
                ':guest': entry.userId,
                ':active': 'active',
                ':gpk': owner[gsiPk],
                ':gsk': owner[gsiSk],
                ':now': now,
                ':one': 1,
              },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          { Update: asTransactUpdate(claimMember(db.tableName, campaignId, claim)) },
          { Update: { ...releaseClaim(db.tableName, campaignId, entry.userId, token), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
        ],
      }),
    );
  } catch (err) {
    const cancelled = cancelledTransaction(err);
    if (!cancelled) throw err;
    const [onEntry, onClaim] = cancelled.reasons;
    if (onClaim?.code === 'ConditionalCheckFailed') {
      const held = onClaim.item as Partial<MemberRecord> | undefined;
      if (held?.blockedAt !== undefined) throw new BlockedError();
      if (held?.state === 'held' && held.token && held.createdAt) {
        const where = await locateJoin(db, campaignId, { userId: member.id, token: held.token, createdAt: held.createdAt });
        // The member's own join may still be on its way to its line: then they retry, not "already joined" without an id.
        if (where.kind === 'entry') throw new AlreadyJoinedError(where.entry.id);
        throw new ConflictError('Your own join in this campaign is still being processed; retry shortly');
      }
    }
    if (onEntry?.code === 'ConditionalCheckFailed') {
      const current = onEntry.item as Partial<EntryRecord> | undefined;
      if (current?.userId === member.id) return { ...entry, userId: member.id };
      throw new InvalidStateError('This entry changed (claimed or cancelled) while you claimed it', { status: current?.status });
    }
    throw new ConflictError('The entry changed while you claimed it; retry');
  }
  return { ...entry, userId: member.id, claimedAt: now, updatedAt: now, version: entry.version + 1 };
}
