import { sign, verify } from 'hono/jwt';
import { UnauthorizedError } from '../errors.js';

export interface TokenSettings {
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export interface TokenUser {
  id: string;
  nickname: string;
}

/**
 * HS256 bearer tokens. Only HS256 is accepted (no `alg: none`, no algorithm confusion), and issuer
 * and audience must match. Token times use the system clock: they are about real-world expiry, not
 * campaign deadlines, and the JWT library checks them against it.
 */
export async function issueToken(settings: TokenSettings, user: TokenUser): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign(
    { sub: user.id, name: user.nickname, iss: settings.issuer, aud: settings.audience, iat: now, exp: now + settings.ttlSeconds },
    settings.secret,
    'HS256',
  );
}

export async function verifyToken(settings: TokenSettings, token: string): Promise<TokenUser> {
  try {
    const payload = await verify(token, settings.secret, { alg: 'HS256', iss: settings.issuer, aud: settings.audience });
    if (typeof payload.sub !== 'string' || payload.sub === '' || typeof payload.exp !== 'number') throw new Error('incomplete token');
    return { id: payload.sub, nickname: typeof payload.name === 'string' ? payload.name : '' };
  } catch {
    throw new UnauthorizedError('Invalid or expired token');
  }
}
