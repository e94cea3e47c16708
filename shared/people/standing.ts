import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DbContext } from '../table/index.js';
import { batchGetAll, keys, TTL_ATTRIBUTE } from '../table/index.js';
import { NOT_ERASED } from './identity.js';

/**
 * Whether a token's user may still act: `erasing` while DELETE /me is under way (only finishing
 * it is allowed), `erased` once its tombstone is written. A user without an item (a token minted
 * by an operator or a test) is `active`: only an erasure takes tokens away.
 */
export type UserStanding = 'active' | 'erasing' | 'erased';

export async function readStanding(db: DbContext, userId: string): Promise<UserStanding> {
  const out = await db.doc.send(
    new GetCommand({
      TableName: db.tableName,
      Key: keys.user(userId),
      ProjectionExpression: '#erasingAt, #erasedAt',
      ExpressionAttributeNames: NOT_ERASED.names,
    }),
  );
  if (out.Item?.erasedAt !== undefined) return 'erased';
  return out.Item?.erasingAt !== undefined ? 'erasing' : 'active';
}

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Erasures are written to a register by the day they began (one small item per day, a string set
 * of user ids), before the user item is marked. The bearer check reads the register instead of the
 * user item: a few keys a minute per process, whatever the number of users, so a join storm of
 * hundreds of members costs no read per member. Only a user found there is read in full.
 * Register days older than the longest token lifetime can no longer matter (every token issued
 * before them has expired) and are not read; DynamoDB TTL removes them.
 */
export async function registerErasure(db: DbContext, userId: string, now: Date): Promise<void> {
  await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: keys.erasureRegister(dayOf(now.getTime())),
      UpdateExpression: 'ADD #users :user SET #type = :type, #ttl = if_not_exists(#ttl, :ttl)',
      ExpressionAttributeNames: { '#users': 'users', '#type': 'type', '#ttl': TTL_ATTRIBUTE },
      ExpressionAttributeValues: {
        ':user': new Set([userId]),
        ':type': 'erasure-register',
        // A year and a day: longer than any token lifetime this API issues.
        ':ttl': Math.floor((now.getTime() + 366 * DAY_MS) / 1000),
      },
    }),
  );
}

/** The users whose erasure began within the last `days` days (today included). */
export async function recentErasures(db: DbContext, days: number): Promise<Set<string>> {
  const now = db.clock.now().getTime();
  const dayKeys = Array.from({ length: days + 1 }, (_, i) => keys.erasureRegister(dayOf(now - i * DAY_MS)));
  const items = await batchGetAll(db, dayKeys, { projection: '#users', names: { '#users': 'users' } });
  const users = new Set<string>();
  for (const item of items) for (const id of (item.users as Set<string> | undefined) ?? []) users.add(id);
  return users;
}

export interface UserStandingOptions {
  /** how long `active` (and the register) is trusted: an erasure in another process is seen within it */
  readonly activeTtlMs?: number;
  readonly maxEntries?: number;
  /** the longest lifetime of an access token this app issues: how far back the register is read */
  readonly maxTokenTtlSeconds?: number;
  readonly nowMs?: () => number;
}

/**
 * Standings per user id, so that a signed-in request costs no read most of the time: the erasure
 * register (a few keys) is read once per `activeTtlMs` per process, and only a user named in it is
 * read in full. `erasing` and `erased` learnt in this process count at once; `erased` is final and
 * kept; `erasing` is read every time. Bounded: oldest entries go first.
 */
export class UserStandingCache {
  private readonly entries = new Map<string, { standing: UserStanding; until: number }>();
  private register: { users: Set<string>; until: number } | undefined;
  /** erasures begun in this process: read in full every time, whatever the register said a moment ago */
  private readonly erasingHere = new Set<string>();
  private loading: Promise<Set<string>> | undefined;
  private readonly activeTtlMs: number;
  private readonly maxEntries: number;
  private readonly registerDays: number;
  private readonly nowMs: () => number;

  constructor(
    private readonly db: DbContext,
    opts: UserStandingOptions = {},
  ) {
    this.activeTtlMs = opts.activeTtlMs ?? 60_000;
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.registerDays = Math.ceil((opts.maxTokenTtlSeconds ?? 30 * 86_400) / 86_400) + 1;
    this.nowMs = opts.nowMs ?? (() => Date.now());
  }

  async standing(userId: string): Promise<UserStanding> {
    const hit = this.entries.get(userId);
    if (hit && hit.until > this.nowMs()) return hit.standing;
    if (!this.erasingHere.has(userId) && !(await this.recent()).has(userId)) return 'active';
    const standing = await readStanding(this.db, userId);
    if (standing === 'erased') this.erasingHere.delete(userId);
    if (standing !== 'erasing') this.remember(userId, standing);
    return standing;
  }

  /** What this process knows first-hand: a login just wrote the user (active), an erasure started or ended. */
  remember(userId: string, standing: UserStanding): void {
    this.entries.delete(userId);
    if (standing === 'erasing') {
      this.erasingHere.add(userId);
      return;
    }
    this.erasingHere.delete(userId);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(userId, { standing, until: standing === 'erased' ? Number.POSITIVE_INFINITY : this.nowMs() + this.activeTtlMs });
  }

  /** The register, read at most once per activeTtlMs; concurrent callers share one read. */
  private async recent(): Promise<Set<string>> {
    if (this.register && this.register.until > this.nowMs()) return this.register.users;
    this.loading ??= recentErasures(this.db, this.registerDays)
      .then((users) => {
        this.register = { users, until: this.nowMs() + this.activeTtlMs };
        return users;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }
}
