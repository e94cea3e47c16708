import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { RateLimitedError } from '../errors.js';
import type { DbContext } from './context.js';
import { conditionFailure } from './failures.js';
import { keys } from './keys.js';
import { TTL_ATTRIBUTE } from './table-schema.js';

/** At most `limit` requests per `windowSeconds`; a limit of 0 turns the rule off. */
export interface RateRule {
  limit: number;
  windowSeconds: number;
}

/** Per-user limits (README "Roles and data handling"); from RATE_LIMIT_* settings. */
export interface RateLimits {
  join: RateRule;
  login: RateRule;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  join: { limit: 20, windowSeconds: 60 },
  login: { limit: 10, windowSeconds: 60 },
};

/**
 * Count one request of `scope` by `subject` in the current fixed window: one UpdateItem on
 * `RATE#<scope>#<subject>` / `<window start>` that adds 1 only while the count is below the limit
 * (`ADD` with a condition), so it is correct across every Lambda instance at once and costs one
 * write (≈1 WCU; a refused one too). The counter expires through DynamoDB TTL a minute after its
 * window. Over the limit: 429 RATE_LIMITED with the seconds until the window ends.
 */
export async function consumeRate(db: DbContext, scope: string, subject: string, rule: RateRule): Promise<void> {
  if (rule.limit <= 0) return;
  const now = db.clock.now().getTime();
  const windowMs = rule.windowSeconds * 1000;
  const start = Math.floor(now / windowMs) * windowMs;
  const end = start + windowMs;
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.rateWindow(scope, subject, new Date(start).toISOString()),
        UpdateExpression: 'ADD #count :one SET #ttl = if_not_exists(#ttl, :ttl), #type = if_not_exists(#type, :type)',
        ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
        ExpressionAttributeNames: { '#count': 'count', '#ttl': TTL_ATTRIBUTE, '#type': 'type' },
        ExpressionAttributeValues: { ':one': 1, ':limit': rule.limit, ':ttl': Math.ceil(end / 1000) + 60, ':type': 'rate' },
      }),
    );
  } catch (err) {
    if (!conditionFailure(err)) throw err;
    const retryAfterSeconds = Math.max(1, Math.ceil((end - now) / 1000));
    throw new RateLimitedError(`Too many ${scope} requests: at most ${rule.limit} per ${rule.windowSeconds} s; retry in ${retryAfterSeconds} s`, retryAfterSeconds, {
      scope,
      limit: rule.limit,
      windowSeconds: rule.windowSeconds,
    });
  }
}
