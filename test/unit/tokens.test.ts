import { sign } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import { issueToken, type TokenSettings, verifyToken } from '../../shared/auth/tokens.js';
import { UnauthorizedError } from '../../shared/errors.js';

const settings: TokenSettings = {
  secret: 'unit-test-secret-0123456789abcdef',
  issuer: 'tuangou-api',
  audience: 'tuangou-miniprogram',
  ttlSeconds: 3600,
};

const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64url');
const decodePart = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A payload that would be accepted if signed with HS256 and the right secret. */
function goodClaims(overrides: Record<string, unknown> = {}) {
  const now = nowSeconds();
  return { sub: 'u_1', name: '王小明', iss: settings.issuer, aud: settings.audience, iat: now, exp: now + 600, ...overrides };
}

describe('issueToken / verifyToken round trip', () => {
  it.each([
    { id: 'u_1', nickname: '王小明' },
    { id: 'u_emoji', nickname: '🍇葡萄控' },
    { id: 'u_latin', nickname: 'Alice' },
    { id: 'u_empty', nickname: '' },
  ])('user $id with nickname "$nickname"', async (user) => {
    const token = await issueToken(settings, user);
    await expect(verifyToken(settings, token)).resolves.toEqual(user);
  });

  it('issues an HS256 JWT with sub, issuer, audience and an expiry ttlSeconds after iat', async () => {
    const before = nowSeconds();
    const token = await issueToken(settings, { id: 'u_1', nickname: '王小明' });
    const after = nowSeconds();
    const [header, payload, signature] = token.split('.');
    expect(decodePart(header!)).toMatchObject({ alg: 'HS256' });
    const claims = decodePart(payload!);
    expect(claims).toMatchObject({ sub: 'u_1', iss: 'tuangou-api', aud: 'tuangou-miniprogram' });
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.iat).toBeLessThanOrEqual(after);
    expect(claims.exp).toBe((claims.iat as number) + 3600);
    expect(signature).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('a hand-made HS256 token with the right secret and claims is accepted (the attack table below is not vacuous)', async () => {
    const token = await sign(goodClaims(), settings.secret, 'HS256');
    await expect(verifyToken(settings, token)).resolves.toEqual({ id: 'u_1', nickname: '王小明' });
  });
});

describe('verifyToken rejects forged, foreign and stale tokens with UNAUTHORIZED', () => {
  const attacks: Array<{ name: string; token: () => Promise<string> | string }> = [
    {
      name: 'alg "none", no signature',
      token: () => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(goodClaims())}.`,
    },
    {
      name: 'alg "none" with a real signature part copied from a valid token',
      token: async () => {
        const valid = await issueToken(settings, { id: 'u_1', nickname: 'x' });
        return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(goodClaims({ sub: 'u_admin' }))}.${valid.split('.')[2]}`;
      },
    },
    {
      name: 'signed with another secret',
      token: () => sign(goodClaims(), 'some-other-secret-0123456789abcdef', 'HS256'),
    },
    {
      name: 'expired an hour ago',
      token: () => sign(goodClaims({ iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 }), settings.secret, 'HS256'),
    },
    {
      name: 'expired one second ago',
      token: () => sign(goodClaims({ iat: nowSeconds() - 100, exp: nowSeconds() - 1 }), settings.secret, 'HS256'),
    },
    {
      name: 'tampered payload: sub changed, signature kept',
      token: async () => {
        const [h, , s] = (await issueToken(settings, { id: 'u_1', nickname: '王小明' })).split('.');
        return `${h}.${b64url(goodClaims({ sub: 'u_admin' }))}.${s}`;
      },
    },
    {
      name: 'tampered payload: expiry extended, signature kept',
      token: async () => {
        const token = await sign(goodClaims({ exp: nowSeconds() - 10 }), settings.secret, 'HS256');
        const [h, p, s] = token.split('.');
        return `${h}.${b64url({ ...decodePart(p!), exp: nowSeconds() + 86_400 })}.${s}`;
      },
    },
    {
      name: 'signature stripped',
      token: async () => {
        const [h, p] = (await issueToken(settings, { id: 'u_1', nickname: 'x' })).split('.');
        return `${h}.${p}.`;
      },
    },
    { name: 'wrong audience', token: () => sign(goodClaims({ aud: 'another-app' }), settings.secret, 'HS256') },
    { name: 'no audience', token: () => sign(goodClaims({ aud: undefined }), settings.secret, 'HS256') },
    { name: 'wrong issuer', token: () => sign(goodClaims({ iss: 'evil-issuer' }), settings.secret, 'HS256') },
    { name: 'no issuer', token: () => sign(goodClaims({ iss: undefined }), settings.secret, 'HS256') },
    { name: 'HS512 with the right secret (only HS256 is allowed)', token: () => sign(goodClaims(), settings.secret, 'HS512') },
    { name: 'HS384 with the right secret (only HS256 is allowed)', token: () => sign(goodClaims(), settings.secret, 'HS384') },
    { name: 'no sub', token: () => sign(goodClaims({ sub: undefined }), settings.secret, 'HS256') },
    { name: 'empty sub', token: () => sign(goodClaims({ sub: '' }), settings.secret, 'HS256') },
    { name: 'numeric sub', token: () => sign(goodClaims({ sub: 42 }), settings.secret, 'HS256') },
    { name: 'no exp (a token that never expires)', token: () => sign(goodClaims({ exp: undefined }), settings.secret, 'HS256') },
    { name: 'not valid yet (nbf in the future)', token: () => sign(goodClaims({ nbf: nowSeconds() + 3600 }), settings.secret, 'HS256') },
    {
      name: 'issued in the future',
      token: () => sign(goodClaims({ iat: nowSeconds() + 3600, exp: nowSeconds() + 7200 }), settings.secret, 'HS256'),
    },
    { name: 'garbage string', token: () => 'garbage' },
    { name: 'empty string', token: () => '' },
    { name: 'three dots of nothing', token: () => '..' },
    { name: 'three parts of garbage', token: () => 'a.b.c' },
    { name: 'the "Bearer " prefix left on', token: async () => `Bearer ${await issueToken(settings, { id: 'u_1', nickname: 'x' })}` },
    { name: 'a valid token with a fourth part', token: async () => `${await issueToken(settings, { id: 'u_1', nickname: 'x' })}.extra` },
  ];

  it.each(attacks)('$name', async ({ token }) => {
    const t = await token();
    const result = verifyToken(settings, t);
    await expect(result).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(result).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
  });

  it('a token from a deployment with another issuer or audience is refused here', async () => {
    const foreign = await issueToken({ ...settings, audience: 'other-miniprogram' }, { id: 'u_1', nickname: 'x' });
    await expect(verifyToken(settings, foreign)).rejects.toBeInstanceOf(UnauthorizedError);
    const foreignIssuer = await issueToken({ ...settings, issuer: 'other-api' }, { id: 'u_1', nickname: 'x' });
    await expect(verifyToken(settings, foreignIssuer)).rejects.toBeInstanceOf(UnauthorizedError);
  });
});
