import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_POINTS_RULES, type PointsRules, titleBasis, titleFor } from '../domain/index.js';
import { ConflictError } from '../errors.js';
import type { DbContext } from '../table/index.js';
import { cancelledTransaction, isLookupableId, keys, queryAll } from '../table/index.js';

/**
 * The leader's points rules of a community (`COMMUNITY#<id>` / `PTSRULES`) and the community's
 * titles map (`PTSTITLES`: userId → title). A community without rules has DEFAULT_POINTS_RULES
 * (everything off). The titles item exists whenever the rules have titles: it is written with
 * every rules change, rebuilt from the members' balances under the new ladder, in one transaction.
 */
export interface StoredPointsRules extends PointsRules {
  communityId: string;
  version: number;
  updatedAt: string;
  updatedBy: string;
}

export async function getPointsRules(db: DbContext, communityId: string): Promise<StoredPointsRules> {
  const fallback = { ...DEFAULT_POINTS_RULES, communityId, version: 0, updatedAt: '', updatedBy: '' };
  if (!isLookupableId(communityId)) return fallback;
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.pointsRules(communityId), ConsistentRead: true }));
  if (!out.Item) return fallback;
  const i = out.Item;
  return {
    communityId,
    earn: i.earn as PointsRules['earn'],
    spend: i.spend as PointsRules['spend'],
    titles: (i.titles as PointsRules['titles'] | undefined) ?? [],
    version: i.version as number,
    updatedAt: i.updatedAt as string,
    updatedBy: i.updatedBy as string,
  };
}

/**
 * Replaces the rules (conditioned on the version read: two editors never silently overwrite each
 * other, 409) and rewrites the titles map under the new ladder from every member's balance: one
 * Query of the community's PTSBAL# items and one transaction. An earn that commits between the
 * Query and the transaction is computed from the old ladder's title; the next crossing corrects it.
 */
export async function putPointsRules(db: DbContext, communityId: string, rules: PointsRules, byUserId: string): Promise<StoredPointsRules> {
  const before = await getPointsRules(db, communityId);
  const titles: Record<string, string> = {};
  if (rules.titles.length > 0) {
    for await (const b of queryAll(db, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.communityPartition(communityId), ':prefix': keys.pointsBalancePrefix() },
      ProjectionExpression: 'userId, earned, reversed',
      ConsistentRead: true,
    })) {
      const title = titleFor(rules.titles, titleBasis({ earned: b.earned as number, reversed: b.reversed as number }));
      if (title !== null) titles[b.userId as string] = title;
    }
  }
  const stored: StoredPointsRules = {
    ...rules,
    communityId,
    version: before.version + 1,
    updatedAt: db.clock.now().toISOString(),
    updatedBy: byUserId,
  };
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: db.tableName,
              Item: { ...keys.pointsRules(communityId), type: 'pointsRules', ...stored },
              ConditionExpression: before.version === 0 ? 'attribute_not_exists(pk)' : '#version = :v',
              ...(before.version === 0
                ? {}
                : { ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':v': before.version } }),
            },
          },
          {
            Put: {
              TableName: db.tableName,
              Item: { ...keys.pointsTitles(communityId), type: 'pointsTitles', communityId, titles, rulesVersion: stored.version },
            },
          },
        ],
      }),
    );
  } catch (err) {
    if (cancelledTransaction(err)) throw new ConflictError('The points rules changed meanwhile; read them again and retry');
    throw err;
  }
  return stored;
}

/**
 * The community's titles, userId → title: the ONE read a public list of a community campaign makes
 * for its titles (eventually consistent: half a read unit per 4 KB; a title may show a moment late).
 */
export async function getTitles(db: DbContext, communityId: string): Promise<Record<string, string>> {
  if (!isLookupableId(communityId)) return {};
  const out = await db.doc.send(
    new GetCommand({
      TableName: db.tableName,
      Key: keys.pointsTitles(communityId),
      ProjectionExpression: 'titles',
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  db.onCapacity?.('points-titles', out.ConsumedCapacity);
  return (out.Item?.titles as Record<string, string> | undefined) ?? {};
}
