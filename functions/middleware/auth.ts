import type { Context, MiddlewareHandler } from 'hono';
import type { TokenSettings, TokenUser } from '../../shared/auth/index.js';
import { VerifiedTokenCache } from '../../shared/auth/index.js';
import { UnauthorizedError } from '../../shared/errors.js';
import type { UserStandingCache } from '../../shared/people/index.js';
import type { AppEnv } from '../env.js';

/**
 * Reads `Authorization: Bearer <token>` on every request. No header: anonymous (public reads
 * work). A header that is malformed, forged or expired is 401 everywhere, so a client with a
 * broken token finds out at once instead of silently seeing the public view. Tokens already
 * verified in this process are not verified again while they are unexpired (VerifiedTokenCache).
 *
 * A valid token of an erased user is 401 too (`users`): a signature cannot be taken back, so
 * the erasure's tombstone is what refuses every token issued before it. While an erasure is
 * under way its user may only finish it (DELETE /me again), so nothing new (a join) slips in
 * behind the erasure's walk.
 */
export function authenticate(
  settings: TokenSettings,
  users?: UserStandingCache,
  verified = new VerifiedTokenCache(settings),
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header === undefined) {
      c.set('user', null);
      return next();
    }
    const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header);
    if (!match) throw new UnauthorizedError('Authorization header must be "Bearer <token>"');
    const user = await verified.verify(match[1]!);
    if (users) {
      const standing = await users.standing(user.id);
      if (standing === 'erased' || (standing === 'erasing' && !finishesErasure(c))) {
        throw new UnauthorizedError('This account was erased; log in again to start a new one');
      }
    }
    c.set('user', user);
    return next();
  };
}

const finishesErasure = (c: Context<AppEnv>) => c.req.method === 'DELETE' && c.req.path === '/me';

export function requireUser(c: Context<AppEnv>): TokenUser {
  const user = c.get('user');
  if (!user) throw new UnauthorizedError();
  return user;
}

/**
 * Route middleware for routes that need a user: runs before body validation, so a client without
 * a token learns that first (401), not that its body is wrong.
 */
export const signedIn: MiddlewareHandler<AppEnv> = async (c, next) => {
  requireUser(c);
  await next();
};
