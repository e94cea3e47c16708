import { createHash, createHmac, createSecretKey, type KeyObject, randomUUID, timingSafeEqual } from 'node:crypto';
import { decode, sign } from 'hono/jwt';
import { decodeBase64Url } from 'hono/utils/encode';
import type { JWTPayload } from 'hono/utils/jwt/types';
import { UnauthorizedError } from '../errors.js';

/** One HS256 key: `kid` names it in the token header so verification can pick it. */
export interface SigningKey {
  kid: string;
  secret: string;
}

export interface TokenSettings {
  /** The current signing secret: every new token is signed with it. */
  secret: string;
  /** Key id of `secret`; derived from the secret when absent (see `deriveKid`). */
  kid?: string;
  /** Earlier secrets, still accepted for verification (never used to sign), so rotation logs no one out. */
  previous?: readonly SigningKey[];
  issuer: string;
  audience: string;
  /** Lifetime of dev-login tokens and of `issueToken` tokens (seconds). */
  ttlSeconds: number;
  /** Lifetime of access tokens that come with a refresh token (WeChat login, refresh); default 2 h. */
  accessTtlSeconds?: number;
  /** Lifetime of refresh tokens; default 30 days. */
  refreshTtlSeconds?: number;
}

export interface TokenUser {
  id: string;
  nickname: string;
}

export const DEFAULT_ACCESS_TTL_SECONDS = 2 * 3600;
export const DEFAULT_REFRESH_TTL_SECONDS = 30 * 24 * 3600;

/** A refresh token is signed for this audience, so it can never pass as an access token (and back). */
export const refreshAudience = (audience: string) => `${audience}#refresh`;
const REFRESH_TYP = 'refresh';

/**
 * The key id of a secret that was configured without one: a short hash, stable across cold starts
 * and deployments, so a token signed before a rotation still finds its key afterwards.
 */
export function deriveKid(secret: string): string {
  let kid = derivedKids.get(secret);
  if (kid === undefined) {
    kid = `k${createHash('sha256').update(`tuangou-token-kid\0${secret}`).digest('base64url').slice(0, 10)}`;
    remember(derivedKids, secret, kid);
  }
  return kid;
}

/**
 * Per-process memos of derived kids and HMAC keys: a process knows a handful of keys (current + previous), so it
 * stays tiny; the cap only guards against a caller minting settings from many secrets.
 */
const MEMO_CAP = 64;
const derivedKids = new Map<string, string>();
const hmacKeys = new Map<string, KeyObject>();
/** The secret as a KeyObject, made once: the same bytes `createHmac` would take from the string (UTF-8). */
function hmacKey(secret: string): KeyObject {
  let key = hmacKeys.get(secret);
  if (key === undefined) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    remember(hmacKeys, secret, key);
  }
  return key;
}
function remember<V>(memo: Map<string, V>, key: string, value: V) {
  if (memo.size >= MEMO_CAP) memo.clear();
  memo.set(key, value);
}

export function currentKey(settings: TokenSettings): SigningKey {
  return { kid: settings.kid ?? deriveKid(settings.secret), secret: settings.secret };
}

/** The current key first, then the previous ones: every key a token may be verified with. */
export function verificationKeys(settings: TokenSettings): SigningKey[] {
  return [currentKey(settings), ...(settings.previous ?? [])];
}

/** HMAC key as a JWK: `sign` then writes `kid` into the header, and the secret is never sniffed as a PEM. */
function jwk(key: SigningKey) {
  return { kty: 'oct', k: Buffer.from(key.secret, 'utf8').toString('base64url'), alg: 'HS256', kid: key.kid };
}

async function signWithCurrentKey(settings: TokenSettings, claims: JWTPayload): Promise<string> {
  return sign(claims, jwk(currentKey(settings)), 'HS256');
}

/**
 * HS256 bearer tokens. Only HS256 is accepted (no `alg: none`, no algorithm confusion), and issuer
 * and audience must match. Token times use the system clock: they are about real-world expiry, not
 * campaign deadlines, and the JWT library checks them against it.
 */
export async function issueToken(settings: TokenSettings, user: TokenUser, ttlSeconds: number = settings.ttlSeconds): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signWithCurrentKey(settings, {
    sub: user.id,
    name: user.nickname,
    iss: settings.issuer,
    aud: settings.audience,
    iat: now,
    exp: now + ttlSeconds,
  });
}

export interface RefreshClaims {
  userId: string;
  /** this token's id: each refresh token is accepted once */
  jti: string;
  /** the login this token descends from; reusing a spent token revokes the whole family */
  family: string;
  /** epoch seconds */
  exp: number;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** access token lifetime, seconds */
  expiresIn: number;
  refreshExpiresIn: number;
}

/**
 * A fresh access token plus a refresh token. `family` continues a refresh chain (rotation); a
 * login starts a new one.
 */
export async function issueTokenPair(settings: TokenSettings, user: TokenUser, family?: string): Promise<TokenPair> {
  const expiresIn = settings.accessTtlSeconds ?? DEFAULT_ACCESS_TTL_SECONDS;
  const refreshExpiresIn = settings.refreshTtlSeconds ?? DEFAULT_REFRESH_TTL_SECONDS;
  const now = Math.floor(Date.now() / 1000);
  const jti = randomUUID();
  const refreshToken = await signWithCurrentKey(settings, {
    typ: REFRESH_TYP,
    sub: user.id,
    jti,
    fam: family ?? jti,
    iss: settings.issuer,
    aud: refreshAudience(settings.audience),
    iat: now,
    exp: now + refreshExpiresIn,
  });
  return { accessToken: await issueToken(settings, user, expiresIn), refreshToken, expiresIn, refreshExpiresIn };
}

/**
 * Signature, algorithm (HS256 only), issuer, audience and times checked with the key the header's
 * `kid` names. A token without `kid` predates key ids and is tried against each configured key;
 * an unknown `kid` is refused.
 *
 * The checks are hono's `verify` (hono/utils/jwt/jwt.js) for HS256, in its order, with the
 * signature checked by node:crypto's HMAC (synchronous, constant-time compare) instead of a
 * WebCrypto key import plus an async job per request, and the token decoded once instead of twice.
 * test/unit/tokens.test.ts and token-keys.test.ts hold the refusals this must keep.
 */
async function verifySigned(settings: TokenSettings, token: string, audience: string): Promise<JWTPayload> {
  const { header, payload } = decode(token) as unknown as { header: Record<string, unknown>; payload: JWTPayload };
  const keys = verificationKeys(settings);
  let candidates: SigningKey[];
  if (header.kid === undefined) candidates = keys;
  else if (typeof header.kid === 'string') candidates = keys.filter((k) => k.kid === header.kid).slice(0, 1);
  else throw new Error('kid is not a string');
  if (candidates.length === 0) throw new Error('unknown kid');
  checkHeaderAndClaims(header, payload, settings.issuer, audience);
  const dot = token.lastIndexOf('.');
  const signaturePart = token.slice(dot + 1);
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(signaturePart)) throw new Error('malformed signature');
  const signature = Buffer.from(decodeBase64Url(signaturePart)); // atob's rules, as hono decodes it
  const signed = token.slice(0, dot);
  for (const key of candidates) {
    const expected = createHmac('sha256', hmacKey(key.secret)).update(signed).digest();
    if (signature.length === expected.length && timingSafeEqual(signature, expected)) return payload;
  }
  throw new Error('signature mismatch');
}

/** A JOSE `typ` of JWT, as hono compares it (case-insensitive, optional `application/`). */
const isJwtTyp = (typ: unknown) => typeof typ === 'string' && typ.toLowerCase().replace(/^application\//, '') === 'jwt';

/** hono's `verify` checks before the signature, for alg HS256 with issuer and audience required. */
function checkHeaderAndClaims(header: Record<string, unknown>, payload: JWTPayload, issuer: string, audience: string) {
  if (typeof header !== 'object' || header === null || !('alg' in header)) throw new Error('invalid header');
  if ('typ' in header && !isJwtTyp(header.typ)) throw new Error('invalid header typ');
  if ('crit' in header) throw new Error('crit header not supported');
  if (header.alg !== 'HS256') throw new Error('alg must be HS256');
  const now = Math.floor(Date.now() / 1000);
  const { nbf, exp, iat } = payload as { nbf?: unknown; exp?: unknown; iat?: unknown };
  if (nbf !== undefined && (typeof nbf !== 'number' || !Number.isFinite(nbf) || nbf > now)) throw new Error('not yet valid');
  if (exp !== undefined && (typeof exp !== 'number' || !Number.isFinite(exp) || exp <= now)) throw new Error('expired');
  if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat) || now < iat)) throw new Error('issued in the future');
  if (!payload.iss || payload.iss !== issuer) throw new Error('wrong issuer');
  if (!payload.aud) throw new Error('no audience');
  const auds: unknown[] = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!auds.some((a) => a === audience)) throw new Error('wrong audience');
}

export async function verifyToken(settings: TokenSettings, token: string): Promise<TokenUser> {
  return (await verifyAccessToken(settings, token)).user;
}

/** The time claims an accepted access token carried (epoch seconds), for re-checking a cached verdict. */
export interface TokenTimes {
  exp: number;
  nbf?: number;
  iat?: number;
}

/** `verifyToken`, also returning the token's time claims (see VerifiedTokenCache). */
export async function verifyAccessToken(settings: TokenSettings, token: string): Promise<{ user: TokenUser; times: TokenTimes }> {
  try {
    const payload = await verifySigned(settings, token, settings.audience);
    if (typeof payload.sub !== 'string' || payload.sub === '' || typeof payload.exp !== 'number') throw new Error('incomplete token');
    if (payload.typ !== undefined) throw new Error('not an access token');
    const times: TokenTimes = { exp: payload.exp };
    if (typeof payload.nbf === 'number') times.nbf = payload.nbf;
    if (typeof payload.iat === 'number') times.iat = payload.iat;
    return { user: { id: payload.sub, nickname: typeof payload.name === 'string' ? payload.name : '' }, times };
  } catch {
    throw new UnauthorizedError('Invalid or expired token');
  }
}

/**
 * Whether a token accepted earlier is still inside its time window now: the same checks, on the
 * same clock (`Date.now()`, whole seconds), that `verify` made when it accepted it.
 */
export function withinTokenTimes(times: TokenTimes, nowMs: number = Date.now()): boolean {
  const now = Math.floor(nowMs / 1000);
  return times.exp > now && (times.nbf === undefined || times.nbf <= now) && (times.iat === undefined || times.iat <= now);
}

export async function verifyRefreshToken(settings: TokenSettings, token: string): Promise<RefreshClaims> {
  try {
    const payload = await verifySigned(settings, token, refreshAudience(settings.audience));
    const { sub, jti, fam, exp, typ } = payload as Record<string, unknown>;
    if (typ !== REFRESH_TYP) throw new Error('not a refresh token');
    if (typeof sub !== 'string' || sub === '' || typeof exp !== 'number') throw new Error('incomplete token');
    if (typeof jti !== 'string' || jti === '' || typeof fam !== 'string' || fam === '') throw new Error('incomplete token');
    return { userId: sub, jti, family: fam, exp };
  } catch {
    throw new UnauthorizedError('Invalid or expired refresh token; log in again');
  }
}
