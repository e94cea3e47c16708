import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { queryOwnerIndex } from '../campaigns/index.js';
import type { PickupEntryRecord } from '../entries/index.js';
import { getPayment } from '../money/index.js';
import { getUserItem } from '../people/index.js';
import type { DbContext } from '../table/index.js';
import { conditionFailure, GSI_BY_OWNER, indexKeys, keys, queryCampaignPrefix } from '../table/index.js';

/** What an erased member's lines show in every list, settlement and CSV. */
export const ERASED_NICKNAME = '已注销用户';

/** Everything stored about one user, for GET /me/export (PIPL: the right to a copy). */
export async function exportUserData(db: DbContext, userId: string) {
  const user = await getUserItem(db, userId);
  const entries = [];
  for await (const raw of ownerItems(db, indexKeys.participantPartition(userId))) {
    const e = raw as unknown as PickupEntryRecord;
    entries.push({
      id: e.id,
      campaignId: e.campaignId,
      campaignTitle: e.campaignTitle,
      seq: e.seq,
      nickname: e.nickname,
      items: e.items,
      note: e.note ?? null,
      pickupPointId: e.pickupPointId ?? null,
      phone: e.phone ?? null,
      status: e.status,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
      pickedUpAt: e.pickedUpAt ?? null,
    });
  }
  const campaignsLed = [];
  for await (const c of ownerItems(db, indexKeys.leaderPartition(userId))) {
    campaignsLed.push({
      id: c.id as string,
      title: c.title as string,
      createdAt: c.createdAt as string,
      opensAt: c.opensAt as string,
      closesAt: c.closesAt as string,
    });
  }
  // Money: per entry that has any, its totals and every ledger event (the user's own payments and refunds).
  const payments = [];
  for (const e of entries) {
    const money = await getPayment(db, e.campaignId, e.id);
    if (!money) continue;
    const events = [];
    for await (const item of queryCampaignPrefix(db, keys.campaignPartition(e.campaignId), `${keys.ledgerPrefix()}${e.id}#`)) {
      events.push({
        event: item.event as string,
        amount: item.amount as number,
        ref: item.ref as string,
        at: item.at as string,
        ...(item.reason ? { reason: item.reason as string } : {}),
      });
    }
    payments.push({ campaignId: e.campaignId, entryId: e.id, paid: money.paid, refunded: money.refunded, events });
  }
  return {
    exportedAt: db.clock.now().toISOString(),
    profile: user
      ? {
          id: userId,
          nickname: (user.nickname as string | undefined) ?? '',
          avatarUrl: (user.avatarUrl as string | undefined) ?? null,
          openid: (user.openid as string | undefined) ?? null,
          unionid: (user.unionid as string | undefined) ?? null,
          createdAt: (user.createdAt as string | undefined) ?? null,
          updatedAt: (user.updatedAt as string | undefined) ?? null,
          lastLoginAt: (user.lastLoginAt as string | undefined) ?? null,
        }
      : null,
    entries,
    payments,
    campaignsLed,
  };
}

async function* ownerItems(db: DbContext, ownerPk: string): AsyncGenerator<Record<string, unknown>> {
  let cursor: string | null = null;
  do {
    const page = await queryOwnerIndex(db, ownerPk, 100, cursor);
    yield* page.items;
    cursor = page.nextCursor;
  } while (cursor);
}

export interface ErasureReport {
  entries: number;
  claims: number;
  profileDeleted: boolean;
}

/**
 * DELETE /me: erase the user's personal data, keeping what other people's records need.
 *  - each entry of the user (gsi1 `PARTICIPANT#<userId>`): nickname → ERASED_NICKNAME, phone and
 *    note → null, and its gsi1 keys removed, in one update per entry. Items, quantities, seq and
 *    status stay, so lists stay numbered and settlements keep their amounts and counts. Removing
 *    the index keys makes the erasure resumable: a retry finds only what is left.
 *  - the claim (`MEMBER#<userId>`) in each of those campaigns: its request hash (derived from the
 *    phone and note) and Idempotency-Key are dropped; the claim itself stays (one entry per user).
 *  - the user item (nickname, avatar, openid, unionid) is deleted: refresh tokens stop working.
 * The pseudonymous user id remains on entries and claims. Campaigns the user leads stay (they hold
 * other members' entries); their definitions hold no personal data of the leader but the id.
 */
export async function eraseUser(db: DbContext, userId: string): Promise<ErasureReport> {
  const now = db.clock.now().toISOString();
  let entries = 0;
  let claims = 0;
  const campaigns = new Set<string>();
  // Pages are read first and updated after, so removing the index keys cannot disturb the paging.
  const found: Array<{ campaignId: string; seq: number }> = [];
  for await (const item of ownerItems(db, indexKeys.participantPartition(userId))) {
    if (item.type === 'entry') found.push({ campaignId: item.campaignId as string, seq: item.seq as number });
  }
  for (const e of found) {
    try {
      await db.doc.send(
        new UpdateCommand({
          TableName: db.tableName,
          Key: keys.entry(e.campaignId, e.seq),
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
      entries++;
    } catch (err) {
      if (!conditionFailure(err)) throw err;
    }
    campaigns.add(e.campaignId);
  }
  for (const campaignId of campaigns) {
    try {
      await db.doc.send(
        new UpdateCommand({
          TableName: db.tableName,
          Key: keys.member(campaignId, userId),
          UpdateExpression: 'SET #hash = :erased REMOVE #key',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#hash': 'requestHash', '#key': 'idempotencyKey' },
          ExpressionAttributeValues: { ':erased': 'erased' },
        }),
      );
      claims++;
    } catch (err) {
      if (!conditionFailure(err)) throw err;
    }
  }
  const deleted = await db.doc.send(new DeleteCommand({ TableName: db.tableName, Key: keys.user(userId), ReturnValues: 'ALL_OLD' }));
  return { entries, claims, profileDeleted: deleted.Attributes !== undefined };
}
