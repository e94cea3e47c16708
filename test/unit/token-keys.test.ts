import { createHmac } from 'node:crypto';
import { sign } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import {
  deriveKid,
  issueToken,
  issueTokenPair,
  refreshAudience,
  type TokenSettings,
  verifyRefreshToken,
  verifyToken,
} from '../../shared/auth/tokens.js';
import { UnauthorizedError } from '../../shared/errors.js';

const OLD = 'old-unit-secret-0123456789abcdef';
const NEW = 'new-unit-secret-0123456789abcdef';
const base: TokenSettings = { secret: OLD, issuer: 'tuangou-api', audience: 'tuangou-miniprogram', ttlSeconds: 3600 };
const rotated: TokenSettings = { ...base, secret: NEW, kid: 'k2026', previous: [{ kid: deriveKid(OLD), secret: OLD }] };
const dropped: TokenSettings = { ...base, secret: NEW, kid: 'k2026' };
const user = { id: 'u_1', nickname: '王小明' };

const part = (token: string, i: 0 | 1) =>
  JSON.parse(Buffer.from(token.split('.')[i]!, 'base64url').toString('utf8')) as Record<string, unknown>;
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const hs256 = (secret: string, header: object, claims: object) => {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
};

async function rejects(p: Promise<unknown>) {
  await expect(p).rejects.toBeInstanceOf(UnauthorizedError);
  await expect(p).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
}

describe('key ids', () => {
  it('tokens carry the kid of the current key: derived from the secret, or the configured one', async () => {
    expect(part(await issueToken(base, user), 0)).toEqual({ alg: 'HS256', typ: 'JWT', kid: deriveKid(OLD) });
    expect(part(await issueToken(rotated, user), 0)).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'k2026' });
  });

  it('a token signed with a previous key verifies by its kid; removing that key makes it 401', async () => {
    const old = await issueToken(base, user);
    await expect(verifyToken(rotated, old)).resolves.toEqual(user);
    await rejects(verifyToken(dropped, old));
  });

  it('a token without kid (issued before key ids) is tried against every configured key', async () => {
    const legacy = await sign(
      { sub: 'u_1', name: '王小明', iss: base.issuer, aud: base.audience, iat: now(), exp: now() + 60 },
      OLD,
      'HS256',
    );
    expect(part(legacy, 0)).not.toHaveProperty('kid');
    await expect(verifyToken(base, legacy)).resolves.toEqual(user);
    await expect(verifyToken(rotated, legacy)).resolves.toEqual(user);
    await rejects(verifyToken(dropped, legacy));
  });

  it.each([
    {
      name: 'an unknown kid, signed with the current secret',
      token: () =>
        hs256(NEW, { alg: 'HS256', typ: 'JWT', kid: 'nope' }, { sub: 'u_1', iss: base.issuer, aud: base.audience, exp: now() + 60 }),
    },
    {
      name: "the previous key's kid, signed with the current secret",
      token: () =>
        hs256(
          NEW,
          { alg: 'HS256', typ: 'JWT', kid: deriveKid(OLD) },
          { sub: 'u_1', iss: base.issuer, aud: base.audience, exp: now() + 60 },
        ),
    },
    {
      name: 'the current kid, signed with the previous secret',
      token: () =>
        hs256(OLD, { alg: 'HS256', typ: 'JWT', kid: 'k2026' }, { sub: 'u_1', iss: base.issuer, aud: base.audience, exp: now() + 60 }),
    },
    {
      name: 'a numeric kid',
      token: () => hs256(NEW, { alg: 'HS256', typ: 'JWT', kid: 1 }, { sub: 'u_1', iss: base.issuer, aud: base.audience, exp: now() + 60 }),
    },
    {
      name: 'an object kid',
      token: () =>
        hs256(NEW, { alg: 'HS256', typ: 'JWT', kid: { $ne: 1 } }, { sub: 'u_1', iss: base.issuer, aud: base.audience, exp: now() + 60 }),
    },
    {
      name: 'alg none with the current kid',
      token: () =>
        `${b64({ alg: 'none', typ: 'JWT', kid: 'k2026' })}.${b64({ sub: 'u_1', iss: base.issuer, aud: base.audience, exp: now() + 60 })}.`,
    },
    {
      name: 'a crit header',
      token: () =>
        hs256(
          NEW,
          { alg: 'HS256', typ: 'JWT', kid: 'k2026', crit: ['exp'] },
          { sub: 'u_1', iss: base.issuer, aud: base.audience, exp: now() + 60 },
        ),
    },
    { name: 'a header that is not JSON', token: () => `bm90IGpzb24.${b64({ sub: 'u_1' })}.sig` },
  ])('refuses $name', async ({ token }) => {
    await rejects(verifyToken(rotated, token()));
  });

  it('the hand-made HS256 helper is right (the table above is not vacuous)', async () => {
    const token = hs256(
      NEW,
      { alg: 'HS256', typ: 'JWT', kid: 'k2026' },
      { sub: 'u_1', name: '王小明', iss: base.issuer, aud: base.audience, exp: now() + 60 },
    );
    await expect(verifyToken(rotated, token)).resolves.toEqual(user);
  });
});

describe('access and refresh tokens', () => {
  it('issueTokenPair: a 2 h access token by default and a 30-day refresh token for the refresh audience', async () => {
    const pair = await issueTokenPair(base, user);
    expect(pair).toMatchObject({ expiresIn: 7200, refreshExpiresIn: 30 * 86400 });
    const access = part(pair.accessToken, 1);
    expect((access.exp as number) - (access.iat as number)).toBe(7200);
    expect(access).toMatchObject({ sub: 'u_1', aud: base.audience });
    expect(access).not.toHaveProperty('typ');
    const refresh = part(pair.refreshToken, 1);
    expect(refresh).toMatchObject({ typ: 'refresh', sub: 'u_1', aud: refreshAudience(base.audience), iss: base.issuer });
    expect(refresh.fam).toBe(refresh.jti);
    expect(refresh).not.toHaveProperty('name');
    expect((refresh.exp as number) - (refresh.iat as number)).toBe(30 * 86400);
  });

  it('configured lifetimes are used', async () => {
    const pair = await issueTokenPair({ ...base, accessTtlSeconds: 900, refreshTtlSeconds: 86400 }, user);
    expect(pair).toMatchObject({ expiresIn: 900, refreshExpiresIn: 86400 });
  });

  it('a refresh continues its family with a new jti', async () => {
    const first = await verifyRefreshToken(base, (await issueTokenPair(base, user)).refreshToken);
    const next = await verifyRefreshToken(base, (await issueTokenPair(base, user, first.family)).refreshToken);
    expect(next.family).toBe(first.family);
    expect(next.jti).not.toBe(first.jti);
    expect(next.userId).toBe('u_1');
  });

  it('refresh tokens verify across a rotation and fail after the old key is removed', async () => {
    const { refreshToken } = await issueTokenPair(base, user);
    await expect(verifyRefreshToken(rotated, refreshToken)).resolves.toMatchObject({ userId: 'u_1' });
    await rejects(verifyRefreshToken(dropped, refreshToken));
  });

  it('a refresh token is never an access token, and an access token never refreshes', async () => {
    const pair = await issueTokenPair(base, user);
    await rejects(verifyToken(base, pair.refreshToken));
    await rejects(verifyRefreshToken(base, pair.accessToken));
    await rejects(verifyRefreshToken(base, await issueToken(base, user)));
  });

  it.each([
    { name: 'typ refresh on the access audience', aud: 'tuangou-miniprogram', typ: 'refresh', verify: 'access' },
    { name: 'typ access on the refresh audience', aud: refreshAudience('tuangou-miniprogram'), typ: 'access', verify: 'refresh' },
    { name: 'no typ on the refresh audience', aud: refreshAudience('tuangou-miniprogram'), typ: undefined, verify: 'refresh' },
    {
      name: 'both audiences in one token, typ refresh',
      aud: ['tuangou-miniprogram', refreshAudience('tuangou-miniprogram')],
      typ: 'refresh',
      verify: 'access',
    },
    { name: "another deployment's refresh audience", aud: refreshAudience('other-app'), typ: 'refresh', verify: 'refresh' },
  ])('refuses $name', async ({ aud, typ, verify }) => {
    const token = await sign({ sub: 'u_1', iss: base.issuer, aud, typ, jti: 'j', fam: 'j', iat: now(), exp: now() + 60 }, OLD, 'HS256');
    await rejects(verify === 'access' ? verifyToken(base, token) : verifyRefreshToken(base, token));
  });

  it.each([
    { name: 'no jti', claims: { fam: 'f' } },
    { name: 'no family', claims: { jti: 'j' } },
    { name: 'empty jti', claims: { jti: '', fam: 'f' } },
    { name: 'numeric family', claims: { jti: 'j', fam: 7 } },
    { name: 'no sub', claims: { jti: 'j', fam: 'f', sub: undefined } },
    { name: 'expired', claims: { jti: 'j', fam: 'f', iat: now() - 100, exp: now() - 1 } },
    { name: 'no exp', claims: { jti: 'j', fam: 'f', exp: undefined } },
  ])('a refresh token with $name is refused', async ({ claims }) => {
    const token = await sign(
      { sub: 'u_1', typ: 'refresh', iss: base.issuer, aud: refreshAudience(base.audience), iat: now(), exp: now() + 60, ...claims },
      OLD,
      'HS256',
    );
    await rejects(verifyRefreshToken(base, token));
  });

  it('a well-formed hand-made refresh token is accepted (the table above is not vacuous)', async () => {
    const token = await sign(
      {
        sub: 'u_1',
        typ: 'refresh',
        jti: 'j',
        fam: 'f',
        iss: base.issuer,
        aud: refreshAudience(base.audience),
        iat: now(),
        exp: now() + 60,
      },
      OLD,
      'HS256',
    );
    await expect(verifyRefreshToken(base, token)).resolves.toMatchObject({ userId: 'u_1', jti: 'j', family: 'f' });
  });
});
