import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '../errors.js';
import type { DbContext } from '../table/index.js';
import { conditionFailure, keys } from '../table/index.js';
import { NOT_ERASED } from './identity.js';

/** What GET /me answers: the user's own profile. */
export interface Profile {
  id: string;
  nickname: string;
  avatarUrl: string | null;
  createdAt: string | null;
}

function toProfile(id: string, item: Record<string, unknown>): Profile {
  return {
    id,
    nickname: typeof item.nickname === 'string' ? item.nickname : '',
    avatarUrl: typeof item.avatarUrl === 'string' ? item.avatarUrl : null,
    createdAt: typeof item.createdAt === 'string' ? item.createdAt : null,
  };
}

/** The user item as stored, or null (never logged in, or erased: then only a tombstone is left). */
export async function getUserItem(db: DbContext, userId: string): Promise<Record<string, unknown> | null> {
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.user(userId), ConsistentRead: true }));
  return out.Item && out.Item.erasedAt === undefined ? out.Item : null;
}

export async function getProfile(db: DbContext, userId: string): Promise<Profile> {
  const item = await getUserItem(db, userId);
  if (!item) throw new NotFoundError('No profile for this user (erased, or never logged in); log in again');
  return toProfile(userId, item);
}

/**
 * Change the nickname and/or avatar of an existing user (avatarUrl null removes it). Entries keep
 * the nickname they were made with; new joins use the name in the token, which PATCH /me renews.
 */
export async function updateProfile(
  db: DbContext,
  userId: string,
  change: { nickname?: string; avatarUrl?: string | null },
): Promise<Profile> {
  const names: Record<string, string> = { ...NOT_ERASED.names, '#updatedAt': 'updatedAt' };
  const values: Record<string, unknown> = { ':now': db.clock.now().toISOString() };
  const sets = ['#updatedAt = :now'];
  const removes: string[] = [];
  if (change.nickname !== undefined) {
    names['#nickname'] = 'nickname';
    values[':nickname'] = change.nickname;
    sets.push('#nickname = :nickname');
  }
  if (change.avatarUrl !== undefined) {
    names['#avatarUrl'] = 'avatarUrl';
    if (change.avatarUrl === null) removes.push('#avatarUrl');
    else {
      values[':avatarUrl'] = change.avatarUrl;
      sets.push('#avatarUrl = :avatarUrl');
    }
  }
  try {
    const out = await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.user(userId),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        // Never onto an erasure's tombstone or a profile being erased.
        ConditionExpression: `attribute_exists(pk) AND ${NOT_ERASED.condition}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toProfile(userId, out.Attributes ?? {});
  } catch (err) {
    if (conditionFailure(err)) throw new NotFoundError('No profile for this user (erased, or never logged in); log in again');
    throw err;
  }
}
