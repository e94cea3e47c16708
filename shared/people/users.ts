import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DbContext } from '../table/index.js';
import { cancelledTransaction, keys, TTL_ATTRIBUTE } from '../table/index.js';
import { loginAs, NOT_ERASED } from './identity.js';

export { userIdForOpenid } from './identity.js';

export interface User {
  id: string;
  nickname: string;
}

/** Nickname of a user who logged in with WeChat and has not set one (WeChat no longer shares it). */
export const DEFAULT_WECHAT_NICKNAME = '微信用户';

/** Create the user on first login; later logins refresh the nickname. An erased user's openid gets a new user. */
export async function upsertUser(db: DbContext, openid: string, nickname: string): Promise<User> {
  const now = db.clock.now().toISOString();
  return loginAs(db, openid, async (id) => {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.user(id),
        UpdateExpression:
          'SET #type = :type, #id = :id, #openid = :openid, #nickname = :nickname, #updatedAt = :now, #createdAt = if_not_exists(#createdAt, :now)',
        ConditionExpression: NOT_ERASED.condition,
        ExpressionAttributeNames: {
          ...NOT_ERASED.names,
          '#type': 'type',
          '#id': 'id',
          '#openid': 'openid',
          '#nickname': 'nickname',
          '#updatedAt': 'updatedAt',
          '#createdAt': 'createdAt',
        },
        ExpressionAttributeValues: { ':type': 'user', ':id': id, ':openid': openid, ':nickname': nickname, ':now': now },
      }),
    );
    return { id, nickname };
  });
}

/**
 * A WeChat login: the user for this openid, created on first login with the default nickname;
 * later logins keep whatever nickname the user has. The unionid (present when the mini-program is
 * bound to a WeChat Open Platform account) is stored for linking other apps of the same owner.
 * The session_key never reaches this function.
 */
export async function loginWechatUser(db: DbContext, identity: { openid: string; unionid?: string }): Promise<User> {
  return loginAs(db, identity.openid, (id) => writeWechatLogin(db, id, identity));
}

async function writeWechatLogin(db: DbContext, id: string, identity: { openid: string; unionid?: string }): Promise<User> {
  const now = db.clock.now().toISOString();
  const names: Record<string, string> = {
    ...NOT_ERASED.names,
    '#type': 'type',
    '#id': 'id',
    '#openid': 'openid',
    '#nickname': 'nickname',
    '#lastLoginAt': 'lastLoginAt',
    '#updatedAt': 'updatedAt',
    '#createdAt': 'createdAt',
  };
  const values: Record<string, unknown> = {
    ':type': 'user',
    ':id': id,
    ':openid': identity.openid,
    ':nickname': DEFAULT_WECHAT_NICKNAME,
    ':now': now,
  };
  let set =
    'SET #type = :type, #id = :id, #openid = :openid, #nickname = if_not_exists(#nickname, :nickname), #lastLoginAt = :now, ' +
    '#updatedAt = if_not_exists(#updatedAt, :now), #createdAt = if_not_exists(#createdAt, :now)';
  if (identity.unionid) {
    set += ', #unionid = :unionid';
    names['#unionid'] = 'unionid';
    values[':unionid'] = identity.unionid;
  }
  const out = await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: keys.user(id),
      UpdateExpression: set,
      ConditionExpression: NOT_ERASED.condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    }),
  );
  const nickname = out.Attributes?.nickname;
  return { id, nickname: typeof nickname === 'string' ? nickname : DEFAULT_WECHAT_NICKNAME };
}

/** The user's id and current nickname, or null when there is no such user (never logged in, erased or being erased). */
export async function getUser(db: DbContext, id: string): Promise<User | null> {
  const out = await db.doc.send(
    new GetCommand({
      TableName: db.tableName,
      Key: keys.user(id),
      ProjectionExpression: '#id, #nickname, #erasingAt, #erasedAt',
      ExpressionAttributeNames: { '#id': 'id', '#nickname': 'nickname', ...NOT_ERASED.names },
    }),
  );
  if (!out.Item || out.Item.erasingAt !== undefined || out.Item.erasedAt !== undefined) return null;
  return { id, nickname: typeof out.Item.nickname === 'string' ? out.Item.nickname : '' };
}

/** The openid WeChat Pay needs as the payer of a JSAPI order; null when the user has none (deleted). */
export async function getOpenid(db: DbContext, id: string): Promise<string | null> {
  const out = await db.doc.send(
    new GetCommand({
      TableName: db.tableName,
      Key: keys.user(id),
      ProjectionExpression: '#openid',
      ExpressionAttributeNames: { '#openid': 'openid' },
      ConsistentRead: true,
    }),
  );
  return typeof out.Item?.openid === 'string' ? out.Item.openid : null;
}

export type RefreshSpend = 'ok' | 'reused' | 'revoked';

/**
 * Spend a refresh token: accepted once (a marker keyed by its jti, conditional on absence), and
 * only while its family is not revoked. A second spend of the same token means it was copied:
 * the caller revokes the family. Markers expire through DynamoDB TTL with the tokens.
 */
export async function spendRefreshToken(
  db: DbContext,
  token: { jti: string; family: string; userId: string; exp: number },
): Promise<RefreshSpend> {
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: db.tableName,
              Item: {
                ...keys.refreshTokenUsed(token.jti),
                type: 'refreshTokenUsed',
                userId: token.userId,
                family: token.family,
                usedAt: db.clock.now().toISOString(),
                [TTL_ATTRIBUTE]: token.exp,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            ConditionCheck: {
              TableName: db.tableName,
              Key: keys.refreshFamilyRevoked(token.family),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
    return 'ok';
  } catch (err) {
    const cancelled = cancelledTransaction(err);
    if (cancelled?.reasons[1]?.code === 'ConditionalCheckFailed') return 'revoked';
    if (cancelled?.reasons[0]?.code === 'ConditionalCheckFailed') return 'reused';
    throw err;
  }
}

/** Refuse every further refresh token of this family until `untilEpochSeconds` (when all have expired). */
export async function revokeRefreshFamily(db: DbContext, family: string, userId: string, untilEpochSeconds: number): Promise<void> {
  await db.doc.send(
    new PutCommand({
      TableName: db.tableName,
      Item: {
        ...keys.refreshFamilyRevoked(family),
        type: 'refreshFamilyRevoked',
        userId,
        revokedAt: db.clock.now().toISOString(),
        [TTL_ATTRIBUTE]: untilEpochSeconds,
      },
    }),
  );
}
