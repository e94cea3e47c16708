import { createHash } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DbContext } from './context.js';
import { keys } from './keys.js';

export interface User {
  id: string;
  nickname: string;
}

/** Our user id for a WeChat openid: stable, so logging in again finds the same user without a lookup. */
export function userIdForOpenid(openid: string): string {
  return `u_${createHash('sha256').update(`openid:${openid}`).digest('base64url').slice(0, 22)}`;
}

/** Create the user on first login; later logins refresh the nickname. */
export async function upsertUser(db: DbContext, openid: string, nickname: string): Promise<User> {
  const id = userIdForOpenid(openid);
  const now = db.clock.now().toISOString();
  await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: keys.user(id),
      UpdateExpression: 'SET #type = :type, #id = :id, #openid = :openid, #nickname = :nickname, #updatedAt = :now, #createdAt = if_not_exists(#createdAt, :now)',
      ExpressionAttributeNames: { '#type': 'type', '#id': 'id', '#openid': 'openid', '#nickname': 'nickname', '#updatedAt': 'updatedAt', '#createdAt': 'createdAt' },
      ExpressionAttributeValues: { ':type': 'user', ':id': id, ':openid': openid, ':nickname': nickname, ':now': now },
    }),
  );
  return { id, nickname };
}
