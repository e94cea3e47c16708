import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DbContext } from '../table/index.js';
import { keys } from '../table/index.js';
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

/**
 * Standings per user id, so that a signed-in request costs no read most of the time (a join
 * storm's whole cost stays one read). `active` is trusted for `activeTtlMs`: an erasure in another
 * process is seen here within that time; one in this process at once (`erasing`, `erased`).
 * `erased` is final and kept; `erasing` is read every time. Bounded: oldest entries go first.
 */
export class UserStandingCache {
  private readonly entries = new Map<string, { standing: UserStanding; until: number }>();

  constructor(
    private readonly db: DbContext,
    private readonly activeTtlMs = 60_000,
    private readonly maxEntries = 10_000,
    private readonly nowMs: () => number = () => Date.now(),
  ) {}

  async standing(userId: string): Promise<UserStanding> {
    const hit = this.entries.get(userId);
    if (hit && hit.until > this.nowMs()) return hit.standing;
    const standing = await readStanding(this.db, userId);
    if (standing !== 'erasing') this.remember(userId, standing);
    return standing;
  }

  /** What this process knows first-hand: a login just wrote the user (active), an erasure started or ended. */
  remember(userId: string, standing: UserStanding): void {
    this.entries.delete(userId);
    if (standing === 'erasing') return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(userId, { standing, until: standing === 'erased' ? Number.POSITIVE_INFINITY : this.nowMs() + this.activeTtlMs });
  }
}
