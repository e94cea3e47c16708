import { createHash } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { REFERRER_TOKEN } from '../domain/index.js';
import { conditionFailure, type DbContext, itemKind, keys } from '../table/index.js';

/**
 * Referrer tokens: the short name of a user inside a share scene (a user id, `u_` + 25
 * characters, would not fit next to the share code in WeChat's 32). A token is a hash of the user
 * id, so it is stable without being stored on the user, and not reversible: the table item
 * REF#<token> says whom it stands for. No secret is involved: a token only says "this user shared
 * it", which anyone who shares a link says anyway.
 */
export const REFERRER_TOKEN_LENGTH = 10;
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** Candidates tried per user: a 50-bit collision with another user's token moves on to the next one. */
const MAX_CANDIDATES = 4;

export interface ReferrerRecord {
  token: string;
  userId: string;
  createdAt: string;
}

const referrerItem = itemKind<ReferrerRecord>('referrer');

/** The user's n-th candidate token: 10 characters of base32 from SHA-256(user id, n). */
export function referrerCandidate(userId: string, n: number): string {
  const digest = createHash('sha256').update(`referrer\u0000${userId}\u0000${n}`).digest();
  let token = '';
  for (let i = 0; i < REFERRER_TOKEN_LENGTH; i++) token += ALPHABET[digest[i]! % 32];
  return token;
}

/**
 * The user's referrer token, its REF# item written on first use. Read first (a repeat call costs a
 * half read unit, not a write), then a conditional put: two first calls at once both end on the
 * same token. Stable: the same user always lands on the same candidate.
 */
export async function ensureReferrerToken(db: DbContext, userId: string): Promise<string> {
  for (let n = 0; n < MAX_CANDIDATES; n++) {
    const token = referrerCandidate(userId, n);
    let owner = await referrerOwner(db, token, true);
    if (owner === null) {
      const record: ReferrerRecord = { token, userId, createdAt: db.clock.now().toISOString() };
      try {
        await db.doc.send(
          new PutCommand({
            TableName: db.tableName,
            Item: referrerItem.toItem(keys.referrer(token), record),
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return token;
      } catch (err) {
        const failure = conditionFailure(err);
        if (!failure) throw err;
        owner = failure.item ? referrerItem.fromItem(failure.item).userId : await referrerOwner(db, token, true);
      }
    }
    if (owner === userId) return token;
    // Another user's token (a 50-bit collision): this user's next candidate.
  }
  throw new Error(`no free referrer token for ${userId} after ${MAX_CANDIDATES} candidates`);
}

/** The user a token names, or null (unknown token, or not a token at all). One small eventually consistent read. */
export async function referrerOwner(db: DbContext, token: string, consistent = false): Promise<string | null> {
  if (!REFERRER_TOKEN.test(token)) return null;
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.referrer(token), ConsistentRead: consistent }));
  return referrerItem.fromMaybe(out.Item)?.userId ?? null;
}
