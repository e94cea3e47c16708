import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PointsEvent } from '../domain/index.js';
import type { DbContext } from '../table/index.js';
import { conditionFailure, keys } from '../table/index.js';
import { allPointsEvents, getPointsBalance } from './ledger.js';

/**
 * A user's points for GET /me/export and DELETE /me. The points items hold no personal data but
 * the pseudonymous user id (no names, no phones), so erasure keeps every number (the community's
 * accounts stay whole) and only takes the member's title off the public titles map: an erased
 * member's lines show no title next to their erased name.
 */
export interface UserPoints {
  communityId: string;
  earned: number;
  spent: number;
  reversed: number;
  balance: number;
  events: Array<Pick<PointsEvent, 'ref' | 'kind' | 'points' | 'reason' | 'at'> & { campaignId: string | null; entryId: string | null }>;
}

/** The user's totals and ledger in each of `communityIds` where they have any. */
export async function userPoints(db: DbContext, userId: string, communityIds: Iterable<string>): Promise<UserPoints[]> {
  const out: UserPoints[] = [];
  for (const communityId of new Set(communityIds)) {
    const balance = await getPointsBalance(db, communityId, userId);
    if (!balance) continue;
    const events = await allPointsEvents(db, communityId, userId);
    out.push({
      communityId,
      earned: balance.earned,
      spent: balance.spent,
      reversed: balance.reversed,
      balance: balance.balance,
      events: events.map((e) => ({
        ref: e.ref,
        kind: e.kind,
        points: e.points,
        reason: e.reason,
        at: e.at,
        campaignId: e.campaignId ?? null,
        entryId: e.entryId ?? null,
      })),
    });
  }
  return out;
}

/** Erasure: the user's title leaves each community's titles map (idempotent; the numbers stay). */
export async function forgetTitles(db: DbContext, userId: string, communityIds: Iterable<string>): Promise<number> {
  let removed = 0;
  for (const communityId of new Set(communityIds)) {
    try {
      await db.doc.send(
        new UpdateCommand({
          TableName: db.tableName,
          Key: keys.pointsTitles(communityId),
          UpdateExpression: 'REMOVE titles.#u',
          ConditionExpression: 'attribute_exists(titles.#u)',
          ExpressionAttributeNames: { '#u': userId },
        }),
      );
      removed++;
    } catch (err) {
      if (!conditionFailure(err)) throw err;
    }
  }
  return removed;
}
