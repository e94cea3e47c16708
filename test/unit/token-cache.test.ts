import { Hono } from 'hono';
import { sign, verify } from 'hono/jwt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppEnv } from '../../functions/env.js';
import { authenticate } from '../../functions/middleware/auth.js';
import { VerifiedTokenCache } from '../../shared/auth/token-cache.js';
import { deriveKid, issueToken, type TokenSettings, verifyToken } from '../../shared/auth/tokens.js';
import { UnauthorizedError } from '../../shared/errors.js';

const OLD = 'cache-test-old-secret-0123456789';
const NEW = 'cache-test-new-secret-0123456789';
const base: TokenSettings = { secret: OLD, issuer: 'tuangou-api', audience: 'tuangou-miniprogram', ttlSeconds: 60 };
const rotated: TokenSettings = { ...base, secret: NEW, kid: 'k2026', previous: [{ kid: deriveKid(OLD), secret: OLD }] };
const user = { id: 'u_1', nickname: '王小明' };
const T0 = Date.parse('2026-11-24T00:00:00.000Z');

afterEach(() => {
  vi.useRealTimers();
});

describe('VerifiedTokenCache', () => {
  it('answers a repeated token from the cache with the same user, as a copy', async () => {
    const cache = new VerifiedTokenCache(base);
    const token = await issueToken(base, user);
    const first = await cache.verify(token);
    expect(first).toEqual(user);
    expect(cache.size).toBe(1);
    first.nickname = 'changed by a request';
    await expect(cache.verify(token)).resolves.toEqual(user);
    expect(cache.size).toBe(1);
  });

  it('refuses a cached token from the second its exp passes, as verifyToken does', async () => {
    vi.useFakeTimers({ now: T0 });
    const cache = new VerifiedTokenCache(base);
    const token = await issueToken(base, user); // exp = T0 + 60 s
    await expect(cache.verify(token)).resolves.toEqual(user);
    vi.setSystemTime(T0 + 59_999);
    await expect(cache.verify(token)).resolves.toEqual(user);
    vi.setSystemTime(T0 + 60_000);
    await expect(verifyToken(base, token)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(cache.verify(token)).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(cache.size).toBe(0);
  });

  it('re-checks iat and nbf on every hit (a clock set back refuses, as verify would)', async () => {
    vi.useFakeTimers({ now: T0 });
    const cache = new VerifiedTokenCache(base);
    const now = Math.floor(T0 / 1000);
    const token = await sign(
      { sub: 'u_1', name: 'x', iss: base.issuer, aud: base.audience, iat: now, nbf: now, exp: now + 600 },
      OLD,
      'HS256',
    );
    await expect(cache.verify(token)).resolves.toEqual({ id: 'u_1', nickname: 'x' });
    vi.setSystemTime(T0 - 1_000);
    await expect(cache.verify(token)).rejects.toBeInstanceOf(UnauthorizedError);
    vi.setSystemTime(T0);
    await expect(cache.verify(token)).resolves.toEqual({ id: 'u_1', nickname: 'x' });
  });

  it('never caches a refusal: a bad token is refused every time and takes no room', async () => {
    const cache = new VerifiedTokenCache(base);
    const forged = await issueToken({ ...base, secret: 'someone-elses-secret-0123456789' }, user);
    for (let i = 0; i < 3; i++) await expect(cache.verify(forged)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(cache.size).toBe(0);
  });

  it('belongs to one keyring: a token of a dropped key is refused by the next keyring even if cached before', async () => {
    const oldToken = await issueToken(base, user);
    const beforeRotation = new VerifiedTokenCache(base);
    await expect(beforeRotation.verify(oldToken)).resolves.toEqual(user);
    // Rotation keeps the old key as previous: still accepted.
    await expect(new VerifiedTokenCache(rotated).verify(oldToken)).resolves.toEqual(user);
    // A keyring without the old key refuses it: nothing carries over between keyrings.
    const dropped: TokenSettings = { ...base, secret: NEW, kid: 'k2026' };
    await expect(new VerifiedTokenCache(dropped).verify(oldToken)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('keeps at most maxEntries tokens, dropping the least recently used', async () => {
    const cache = new VerifiedTokenCache(base, 2);
    const [a, b, c] = await Promise.all(['u_a', 'u_b', 'u_c'].map((id) => issueToken(base, { id, nickname: id })));
    await cache.verify(a!);
    await cache.verify(b!);
    await cache.verify(a!); // a is now the most recent
    await cache.verify(c!); // evicts b
    expect(cache.size).toBe(2);
    await expect(cache.verify(b!)).resolves.toEqual({ id: 'u_b', nickname: 'u_b' }); // verified again, evicts a
    expect(cache.size).toBe(2);
  });
});

describe('authenticate middleware with the cache', () => {
  const app = new Hono<AppEnv>();
  app.use('*', authenticate(base));
  app.get('/whoami', (c) => c.json(c.get('user')));
  const get = (token: string) => app.request('/whoami', { headers: { authorization: `Bearer ${token}` } });

  it('the same token works on request after request, and stops at its expiry', async () => {
    vi.useFakeTimers({ now: T0 });
    const token = await issueToken(base, user);
    for (let i = 0; i < 3; i++) expect(await (await get(token)).json()).toEqual(user);
    vi.setSystemTime(T0 + 60_000);
    expect((await get(token)).status).toBe(500); // UnauthorizedError, no errorResponder on this bare app
  });
});

describe('verifyToken agrees with hono verify on odd tokens (same secret, HS256, issuer and audience)', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const good = () => ({ sub: 'u_1', name: 'x', iss: base.issuer, aud: base.audience, iat: now(), exp: now() + 600 });
  const hs256 = async (header: unknown, payload: unknown) => {
    const signed = `${b64(header)}.${b64(payload)}`;
    const { createHmac } = await import('node:crypto');
    return `${signed}.${createHmac('sha256', OLD).update(signed).digest('base64url')}`;
  };
  const cases: Array<[string, () => Promise<string>]> = [
    ['plain', () => hs256({ alg: 'HS256', typ: 'JWT' }, good())],
    ['no typ', () => hs256({ alg: 'HS256' }, good())],
    ['typ jwt lower case', () => hs256({ alg: 'HS256', typ: 'jwt' }, good())],
    ['typ application/jwt', () => hs256({ alg: 'HS256', typ: 'application/JWT' }, good())],
    ['typ at+jwt', () => hs256({ alg: 'HS256', typ: 'at+jwt' }, good())],
    ['typ a number', () => hs256({ alg: 'HS256', typ: 1 }, good())],
    ['crit', () => hs256({ alg: 'HS256', crit: [] }, good())],
    ['alg hs256 lower case', () => hs256({ alg: 'hs256' }, good())],
    ['no alg', () => hs256({ typ: 'JWT' }, good())],
    ['header an array', () => hs256(['HS256'], good())],
    ['header null', () => hs256(null, good())],
    ['payload a string', () => hs256({ alg: 'HS256' }, 'u_1')],
    ['aud an array with ours', () => hs256({ alg: 'HS256' }, { ...good(), aud: ['x', base.audience] })],
    ['aud an array without ours', () => hs256({ alg: 'HS256' }, { ...good(), aud: ['x', 'y'] })],
    ['aud empty string', () => hs256({ alg: 'HS256' }, { ...good(), aud: '' })],
    ['exp a string', () => hs256({ alg: 'HS256' }, { ...good(), exp: String(now() + 600) })],
    ['exp infinite-ish', () => hs256({ alg: 'HS256' }, { ...good(), exp: Number.POSITIVE_INFINITY })],
    ['nbf a string', () => hs256({ alg: 'HS256' }, { ...good(), nbf: '0' })],
    ['iat now + 1', () => hs256({ alg: 'HS256' }, { ...good(), iat: now() + 1 })],
    ['signature padded =', async () => `${await hs256({ alg: 'HS256' }, good())}=`],
    ['signature padded ==', async () => `${await hs256({ alg: 'HS256' }, good())}==`],
    ['signature padded ===', async () => `${await hs256({ alg: 'HS256' }, good())}===`],
    [
      'signature in base64 (+/) instead of base64url',
      async () => (await hs256({ alg: 'HS256' }, good())).replace(/-/g, '+').replace(/_/g, '/'),
    ],
    ['signature one character short', async () => (await hs256({ alg: 'HS256' }, good())).slice(0, -1)],
    ['signature with an extra character', async () => `${await hs256({ alg: 'HS256' }, good())}A`],
    ['whitespace in the header part', async () => ` ${await hs256({ alg: 'HS256' }, good())}`],
  ];
  it.each(cases)('%s', async (_name, make) => {
    const token = await make();
    const reference = await verify(token, OLD, { alg: 'HS256', iss: base.issuer, aud: base.audience }).then(
      (p) => typeof p.sub === 'string' && p.sub !== '' && typeof p.exp === 'number' && p.typ === undefined,
      () => false,
    );
    const ours = await verifyToken(base, token).then(
      () => true,
      () => false,
    );
    expect(ours).toBe(reference);
  });
});
