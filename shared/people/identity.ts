import { createHash, randomBytes } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../errors.js';
import type { DbContext } from '../table/index.js';
import { conditionFailure, keys } from '../table/index.js';

/** The first user id of a WeChat openid: derived, so a login finds its user with no lookup (one write). */
export function userIdForOpenid(openid: string): string {
  return `u_${createHash('sha256').update(`openid:${openid}`).digest('base64url').slice(0, 22)}`;
}

/** A user id for an openid whose earlier user was erased: random, so nothing leads from the openid to it but LOGIN#. */
function newUserId(): string {
  return `u_${randomBytes(16).toString('base64url').slice(0, 22)}`;
}

/**
 * A condition for the login's write of the user item: it is not erased or being erased. A user
 * item that fails it belongs to an erasure, and the openid must log in as someone new.
 */
export const NOT_ERASED = {
  condition: 'attribute_not_exists(#erasingAt) AND attribute_not_exists(#erasedAt)',
  names: { '#erasingAt': 'erasingAt', '#erasedAt': 'erasedAt' },
} as const;

/**
 * Log an openid in as its user: `write` upserts the user item under NOT_ERASED and throws the
 * condition failure when that user is (being) erased.
 *
 * The openid's first user has the derived id (userIdForOpenid). Once that one is erased, the
 * openid starts over: LOGIN#<openid> names a new random id, and later logins take it. Erasure
 * deletes LOGIN# before anything else and leaves a tombstone at the user's key, so the erased id
 * is never handed out again: old tokens stay refused (they name it) and its anonymised entries
 * and claims never join the new profile.
 */
export async function loginAs<T>(db: DbContext, openid: string, write: (userId: string) => Promise<T>): Promise<T> {
  try {
    return await write(userIdForOpenid(openid));
  } catch (err) {
    if (!conditionFailure(err)) throw err;
  }
  for (let attempt = 0; attempt < 4; attempt++) {
    const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.login(openid), ConsistentRead: true }));
    const mapped = typeof out.Item?.userId === 'string' ? out.Item.userId : undefined;
    if (mapped !== undefined) {
      try {
        return await write(mapped);
      } catch (err) {
        if (!conditionFailure(err)) throw err;
        // That user is being erased too (its erasure deletes LOGIN# next): replace the mapping.
      }
    }
    const id = newUserId();
    try {
      await db.doc.send(
        new PutCommand({
          TableName: db.tableName,
          Item: { ...keys.login(openid), type: 'login', userId: id, createdAt: db.clock.now().toISOString() },
          // Only over what we read: a concurrent first login of this openid wins, and we take its id.
          ConditionExpression: mapped === undefined ? 'attribute_not_exists(pk)' : '#userId = :stale',
          ...(mapped === undefined
            ? {}
            : { ExpressionAttributeNames: { '#userId': 'userId' }, ExpressionAttributeValues: { ':stale': mapped } }),
        }),
      );
    } catch (err) {
      if (!conditionFailure(err)) throw err;
      continue;
    }
    return write(id);
  }
  throw new ConflictError('Another login of this account is in progress; retry');
}
