import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { RateLimitedError } from '../errors.js';
import type { DbContext } from '../table/index.js';
import { conditionFailure, keys, TTL_ATTRIBUTE } from '../table/index.js';

/** At most `limit` requests per `windowSeconds`; a limit of 0 turns the rule off. */
export interface RateRule {
  limit: number;
  windowSeconds: number;
}

/** Per-user limits (README "Roles and data handling"); from RATE_LIMIT_* settings. */
export interface RateLimits {
  join: RateRule;
  login: RateRule;
  /** calls that reach WeChat Pay on a member's behalf (prepay, sync); absent: no limit */
  payment?: RateRule;
  /** campaigns created (POST /campaigns): each is a ≈100 KB item at worst and a share code; absent: no limit */
  campaign?: RateRule;
  /** this process's own counts: the table is written only for users above a quarter of a limit */
  local?: LocalRateCounts;
}

/**
 * In-memory counts per window, so that ordinary users (a few joins a minute) cost the table no
 * write at all: a user's first ⌊limit / 4⌋ requests in a window are counted here only, and the
 * table is written from the next one on, adding everything counted so far. Exact in one process;
 * across N Lambda instances a user may get up to N × ⌊limit / 4⌋ extra requests a window, which API
 * Gateway's stage throttling bounds.
 */
export class LocalRateCounts {
  private readonly counts = new Map<string, { count: number; end: number }>();

  bump(key: string, windowEnd: number, now: number): number {
    if (this.counts.size > 10_000) for (const [k, v] of this.counts) if (v.end <= now) this.counts.delete(k);
    const entry = this.counts.get(key);
    const count = entry && entry.end > now ? entry.count + 1 : 1;
    this.counts.set(key, { count, end: windowEnd });
    return count;
  }
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  join: { limit: 20, windowSeconds: 60 },
  login: { limit: 10, windowSeconds: 60 },
  payment: { limit: 30, windowSeconds: 60 },
  campaign: { limit: 20, windowSeconds: 3600 },
};

/**
 * Count one request of `scope` by `subject` in the current fixed window: one UpdateItem on
 * `RATE#<scope>#<subject>` / `<window start>` that adds 1 only while the count is below the limit
 * (`ADD` with a condition), so it is correct across every Lambda instance at once and costs one
 * write (≈1 WCU; a refused one too). The counter expires through DynamoDB TTL a minute after its
 * window. Over the limit: 429 RATE_LIMITED with the seconds until the window ends.
 */
export async function consumeRate(
  db: DbContext,
  limits: RateLimits | undefined,
  scope: 'join' | 'login' | 'payment' | 'campaign',
  subject: string,
): Promise<void> {
  if (!limits) return;
  const rule = limits[scope];
  const local = limits.local;
  if (!rule || rule.limit <= 0) return;
  const now = db.clock.now().getTime();
  const windowMs = rule.windowSeconds * 1000;
  const start = Math.floor(now / windowMs) * windowMs;
  const end = start + windowMs;
  let add = 1;
  if (local) {
    const allowance = Math.floor(rule.limit / 4);
    const counted = local.bump(`${scope}#${subject}#${start}`, end, now);
    if (counted <= allowance) return;
    if (counted === allowance + 1) add = counted; // hand the locally counted ones to the table
  }
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.rateWindow(scope, subject, new Date(start).toISOString()),
        UpdateExpression: 'ADD #count :add SET #ttl = if_not_exists(#ttl, :ttl), #type = if_not_exists(#type, :type)',
        ConditionExpression: 'attribute_not_exists(#count) OR #count <= :max',
        ExpressionAttributeNames: { '#count': 'count', '#ttl': TTL_ATTRIBUTE, '#type': 'type' },
        ExpressionAttributeValues: { ':add': add, ':max': rule.limit - add, ':ttl': Math.ceil(end / 1000) + 60, ':type': 'rate' },
      }),
    );
  } catch (err) {
    if (!conditionFailure(err)) throw err;
    const retryAfterSeconds = Math.max(1, Math.ceil((end - now) / 1000));
    throw new RateLimitedError(
      `Too many ${scope} requests: at most ${rule.limit} per ${rule.windowSeconds} s; retry in ${retryAfterSeconds} s`,
      retryAfterSeconds,
      {
        scope,
        limit: rule.limit,
        windowSeconds: rule.windowSeconds,
      },
    );
  }
}
