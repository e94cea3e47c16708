import type { Context, MiddlewareHandler } from 'hono';
import type { TokenSettings, TokenUser } from '../../shared/auth/index.js';
import { VerifiedTokenCache } from '../../shared/auth/index.js';
import { UnauthorizedError } from '../../shared/errors.js';
import type { AppEnv } from '../env.js';

/**
 * Reads `Authorization: Bearer <token>` on every request. No header: anonymous (public reads
 * work). A header that is malformed, forged or expired is 401 everywhere, so a client with a
 * broken token finds out at once instead of silently seeing the public view. Tokens already
 * verified in this process are not verified again while they are unexpired (VerifiedTokenCache).
 */
export function authenticate(settings: TokenSettings, verified = new VerifiedTokenCache(settings)): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header === undefined) {
      c.set('user', null);
      return next();
    }
    const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header);
    if (!match) throw new UnauthorizedError('Authorization header must be "Bearer <token>"');
    c.set('user', await verified.verify(match[1]!));
    return next();
  };
}

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
