import { createHash, randomBytes } from 'node:crypto';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { CampaignDb, CampaignSnapshot } from '../campaigns/index.js';
import { AlreadyJoinedError, BlockedError, ConflictError, InvalidStateError, NotFoundError } from '../errors.js';
import { cancelledTransaction, type EntryRecord, entryIds, indexKeys, keys, type MemberRecord } from '../table/index.js';
import { asTransactUpdate, claimMember, releaseClaim } from './commands.js';
import { type JoinRequest, type JoinResult, join } from './entries.js';
import { entryForCode, type PickupKeys } from './entry-codes.js';
import { locateJoin } from './lookup.js';
import { freeSlot, type StoredClaim } from './slots.js';

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
 * member (its owner index too), gives the member a claim slot in the campaign (refused when they
 * already hold as many entries here as the campaign allows, `slots`, or are blocked: the
 * entries-per-user rule holds) and releases the guest's. The entry keeps its number, lines and
 * payment; it must still be active and unclaimed. Slot 0 is tried first; a household member whose
 * slot 0 is held gets the lowest free slot the failed condition shows.
 */
export async function claimStaffEntry(
  db: CampaignDb,
  codeKeys: PickupKeys,
  campaignId: string,
  code: string,
  member: { readonly id: string },
  slots = 1,
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
  for (let slot = 0, attempt = 0; ; attempt++) {
    try {
      await db.doc.send(new TransactWriteCommand({ TransactItems: claimOverItems(db.tableName, campaignId, entry, claim, slot, now) }));
      return { ...entry, userId: member.id, claimedAt: now, updatedAt: now, version: entry.version + 1, ...(slot > 0 ? { slot } : {}) };
    } catch (err) {
      const cancelled = cancelledTransaction(err);
      if (!cancelled) throw err;
      const [onEntry, onClaim] = cancelled.reasons;
      if (onClaim?.code === 'ConditionalCheckFailed') {
        const held = onClaim.item as StoredClaim | undefined;
        if (held?.blockedAt !== undefined) throw new BlockedError();
        const free = freeSlot(held, slots);
        if (free >= 0 && free !== slot && attempt < slots + 2) {
          slot = free; // a household member's next slot
          continue;
        }
        if (held?.state === 'held' && held.token && held.createdAt) {
          const where = await locateJoin(db, campaignId, { userId: member.id, token: held.token, createdAt: held.createdAt });
          // The member's own join may still be on its way to its line: then they retry, not "already joined" without an id.
          if (where.kind === 'entry') throw new AlreadyJoinedError(where.entry.id, slots);
          throw new ConflictError('Your own join in this campaign is still being processed; retry shortly');
        }
      }
      if (onEntry?.code === 'ConditionalCheckFailed') {
        const current = onEntry.item as Partial<EntryRecord> | undefined;
        if (current?.userId === member.id) return { ...entry, userId: member.id, ...(current.slot ? { slot: current.slot } : {}) };
        throw new InvalidStateError('This entry changed (claimed or cancelled) while you claimed it', { status: current?.status });
      }
      throw new ConflictError('The entry changed while you claimed it; retry');
    }
  }
}

/** The claim-over's transaction: the entry moves to the member (and, past slot 0, records its slot), the member's slot is claimed, the guest's released. */
function claimOverItems(tableName: string, campaignId: string, entry: EntryRecord, claim: MemberRecord, slot: number, now: string) {
  const owner = indexKeys.entryByParticipant(claim.userId, entry.createdAt, entry.id) as Record<string, string>;
  const [gsiPk, gsiSk] = Object.keys(owner) as [string, string];
  const token = entryIds.parse(entry.id)!.token;
  return [
    {
      Update: {
        TableName: tableName,
        Key: keys.entry(campaignId, entry.seq),
        UpdateExpression: `SET #userId = :member, #gpk = :gpk, #gsk = :gsk, #claimedAt = :now, #updatedAt = :now${slot > 0 ? ', #slot = :slot' : ''} ADD #version :one`,
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
          ...(slot > 0 ? { '#slot': 'slot' } : {}),
        },
        ExpressionAttributeValues: {
          ':id': entry.id,
          ':member': claim.userId,
          ':guest': entry.userId,
          ':active': 'active',
          ':gpk': owner[gsiPk],
          ':gsk': owner[gsiSk],
          ':now': now,
          ':one': 1,
          ...(slot > 0 ? { ':slot': slot } : {}),
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
      },
    },
    { Update: asTransactUpdate(claimMember(tableName, campaignId, claim, slot)) },
    { Update: { ...releaseClaim(tableName, campaignId, entry.userId, token), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } },
  ];
}
