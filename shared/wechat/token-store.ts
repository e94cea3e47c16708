import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { conditionFailure, type DbContext, itemKind, keys } from '../table/index.js';

/**
 * The deployment's access token, one item in the table (`WECHAT#TOKEN`), so a cold start reuses
 * it instead of calling stable_token. `expiresAt` (epoch seconds) is also the table's TTL
 * attribute: DynamoDB deletes the item some time after the token dies.
 */
export interface StoredToken {
  accessToken: string;
  expiresAt: number;
  fetchedAt: string;
}

const TOKEN = itemKind<StoredToken>('WechatToken');

export async function readStoredToken(db: DbContext): Promise<StoredToken | null> {
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.wechatToken(), ConsistentRead: true }));
  const stored = TOKEN.fromMaybe(out.Item);
  return stored && typeof stored.accessToken === 'string' && typeof stored.expiresAt === 'number' ? stored : null;
}

/**
 * Store a token. A normal fetch never replaces a token that lives longer (a slower instance must
 * not write back an older answer); a forced fetch always wins, since it revoked the stored one.
 */
export async function writeStoredToken(db: DbContext, token: StoredToken, forced: boolean): Promise<void> {
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: TOKEN.toItem(keys.wechatToken(), token),
        ...(forced
          ? {}
          : {
              ConditionExpression: 'attribute_not_exists(#e) OR #e <= :e',
              ExpressionAttributeNames: { '#e': 'expiresAt' },
              ExpressionAttributeValues: { ':e': token.expiresAt },
            }),
      }),
    );
  } catch (err) {
    if (!conditionFailure(err)) throw err;
  }
}
