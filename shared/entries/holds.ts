import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CampaignDefinition } from '../domain/index.js';
import { quantityDelta } from '../domain/index.js';
import type { DbContext, EntryRecord, TransactItem } from '../table/index.js';
import { cancelledTransaction, conditionFailure, entryIds, GSI_DUE, isTransientConflict, keys, withRetry } from '../table/index.js';
import { asTransactUpdate, counterUpdate, limitedItems, releaseExpiredClaim, updateEntry } from './commands.js';
import { getEntryRecord } from './lookup.js';
import { slotField } from './slots.js';

/**
 * The life of a prepaid (wechatpay) join after it took its number:
 *   pending_payment ──paid──▶ active
 *         │ hold ends unpaid
 *         ▼
 *      expired ──paid late, units still there, no other entry of the user──▶ active (revived)
 * A pending entry holds its units in the counters like an active one (so nobody can buy them
 * meanwhile) but is not billed; expiring gives them back and frees the user's claim.
 */

/** Pure: the held entry becomes active (paid), once; it leaves the hold index. */
export function activateEntryTx(tableName: string, campaignId: string, entry: { id: string; seq: number }, at: string): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: keys.entry(campaignId, entry.seq),
      UpdateExpression: `SET #status = :active, #updatedAt = :at, #version = #version + :one REMOVE holdUntil, ${GSI_DUE.partitionKey}, ${GSI_DUE.sortKey}`,
      ConditionExpression: '#id = :id AND #status = :pending',
      ExpressionAttributeNames: { '#status': 'status', '#updatedAt': 'updatedAt', '#version': 'version', '#id': 'id' },
      ExpressionAttributeValues: { ':active': 'active', ':pending': 'pending_payment', ':at': at, ':one': 1, ':id': entry.id },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/**
 * Pure: a payment may make an entry count only while the campaign is not settled (open, or closed
 * and waiting). It also bumps the STATE version, like every other write that changes what a
 * settlement sums (join, change, cancel, expiry, revival all do, through counterUpdate): a
 * settlement that read the entries before this payment then fails its version condition and sums
 * again, so a payment landing mid-settlement is counted instead of billed but missing.
 */
export function campaignTakesPaymentsTx(tableName: string, campaignId: string): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: keys.campaignState(campaignId),
      UpdateExpression: 'SET #version = #version + :one',
      ConditionExpression: '#status IN (:open, :closed)',
      ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
      ExpressionAttributeValues: { ':open': 'open', ':closed': 'closed', ':one': 1 },
    },
  };
}

/**
 * The hold of a pending entry ended unpaid: it expires, its units go back to stock and the user
 * may join again (until MAX_EXPIRED_HOLDS holds expired: counted on the claim), in one transaction. Allowed whatever the campaign's state (a hold may end after
 * the deadline). An entry that is no longer pending only leaves the hold index. True if it expired.
 */
export async function expireHeldEntry(db: DbContext, def: CampaignDefinition, entry: EntryRecord): Promise<boolean> {
  const campaignId = def.id;
  return withRetry(
    async (attempt) => {
      if (attempt > 0) {
        // The entry moved on (paid, or changed by its hold's end): read it again.
        const fresh = await getEntryRecord(db, campaignId, entry.id);
        if (!fresh) return false;
        entry = fresh;
      }
      const now = db.clock.now().toISOString();
      if (entry.status !== 'pending_payment') {
        await leaveHoldIndex(db, campaignId, entry);
        return false;
      }
      await db.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: asTransactUpdate(
                updateEntry(db.tableName, campaignId, entry.seq, entry.version, { status: 'expired' }, now, 'pending_payment'),
              ),
            },
            // The claim is freed and the expiry counted on it in this same transaction (stock squatting).
            {
              Update: asTransactUpdate(
                releaseExpiredClaim(db.tableName, campaignId, entry.userId, entryIds.parse(entry.id)!.token, entry.slot ?? 0),
              ),
            },
            {
              Update: asTransactUpdate(
                counterUpdate(db.tableName, campaignId, {
                  units: quantityDelta(entry.items, []),
                  participants: -1,
                  takeNumber: false,
                  limited: limitedItems(def),
                  requireOpenAt: null,
                }),
              ),
            },
          ],
        }),
      );
      return true;
    },
    { retries: 8, retryOn: (err) => isTransientConflict(err) || cancelledTransaction(err)?.reasons[0]?.code === 'ConditionalCheckFailed' },
  );
}

/**
 * A payment arrived after the entry expired. Revive it if that is still fair: the campaign is open
 * (its window and stored status), the units are still in stock, and the user has not joined again
 * on its slot since (the slot's claim is still this entry's, released). All or nothing; false means refund instead.
 */
export async function reviveEntry(db: DbContext, def: CampaignDefinition, entry: EntryRecord): Promise<boolean> {
  if (entry.status !== 'expired') return false;
  const now = db.clock.now().toISOString();
  const names: Record<string, string> = {};
  const state = slotField(entry.slot ?? 0, 'state', names);
  const token = slotField(entry.slot ?? 0, 'token', names);
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Update: asTransactUpdate(updateEntry(db.tableName, def.id, entry.seq, entry.version, { status: 'active' }, now, 'expired')) },
          {
            Update: {
              TableName: db.tableName,
              Key: keys.member(def.id, entry.userId),
              UpdateExpression: `SET ${state} = :held`,
              ConditionExpression: `${token} = :token AND ${state} = :released`,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: { ':held': 'held', ':released': 'released', ':token': entryIds.parse(entry.id)!.token },
            },
          },
          {
            Update: asTransactUpdate(
              counterUpdate(db.tableName, def.id, {
                units: quantityDelta([], entry.items),
                participants: 1,
                takeNumber: false,
                limited: limitedItems(def),
                requireOpenAt: now,
              }),
            ),
          },
        ],
      }),
    );
    return true;
  } catch (err) {
    if (cancelledTransaction(err)?.reasons.some((r) => r.code === 'ConditionalCheckFailed')) return false;
    throw err;
  }
}

/** An entry that is no longer held leaves the hold index (a stale index key changes nothing else). */
export async function leaveHoldIndex(db: DbContext, campaignId: string, entry: EntryRecord): Promise<void> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.entry(campaignId, entry.seq),
        UpdateExpression: `REMOVE ${GSI_DUE.partitionKey}, ${GSI_DUE.sortKey}`,
        ConditionExpression: '#id = :id AND #status <> :pending',
        ExpressionAttributeNames: { '#id': 'id', '#status': 'status' },
        ExpressionAttributeValues: { ':id': entry.id, ':pending': 'pending_payment' },
      }),
    );
  } catch (err) {
    if (!conditionFailure(err)) throw err;
  }
}
