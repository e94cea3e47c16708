import { createRoute } from '@hono/zod-openapi';
import {
  DEFAULT_REFRESH_TTL_SECONDS,
  exchangeCode,
  issueTokenPair,
  type TokenUser,
  verifyRefreshToken,
  type WechatSettings,
} from '../../shared/auth/index.js';
import { UnauthorizedError } from '../../shared/errors.js';
import { consumeRate } from '../../shared/limits/index.js';
import {
  getUser,
  loginWechatUser,
  revokeRefreshFamily,
  spendRefreshToken,
  type UserStandingCache,
  userIdForOpenid,
} from '../../shared/people/index.js';
import type { AppDeps } from '../env.js';
import { RefreshBody, TokenResponse, WechatLoginBody } from '../schemas/auth.js';
import { ErrorSchema, errors, noBearer } from '../schemas/common.js';
import { newRouter } from '../validation.js';

const error = (description: string) => ({ description, content: { 'application/json': { schema: ErrorSchema } } });
const tokens = { description: 'Access and refresh tokens', content: { 'application/json': { schema: TokenResponse } } };

const wechatLogin = createRoute({
  method: 'post',
  path: '/auth/wechat',
  tags: ['Auth'],
  security: noBearer,
  summary: 'Mini-program login: exchange the code from wx.login for our tokens',
  description:
    'The code is exchanged with WeChat (jscode2session) for the openid, which maps to one user; the first login creates it ' +
    'with the nickname "微信用户". The session_key is discarded. An Authorization header is ignored here.',
  request: { body: { required: true, content: { 'application/json': { schema: WechatLoginBody } } } },
  responses: {
    200: tokens,
    400: errors[400],
    401: error('WECHAT_CODE_INVALID: the code is invalid, expired or already used; call wx.login again'),
    403: error('WECHAT_USER_BLOCKED: WeChat refuses this account (high risk)'),
    415: errors[415],
    429: error(
      'WECHAT_RATE_LIMITED: WeChat limits logins right now; retry later. RATE_LIMITED: too many logins of this user in the last minute (Retry-After)',
    ),
    503: error(
      'WECHAT_UNAVAILABLE (WeChat busy, slow or unreachable; retry with a new code) or WECHAT_LOGIN_FAILED (other WeChat errors, details.errcode)',
    ),
  },
});

const refresh = createRoute({
  method: 'post',
  path: '/auth/refresh',
  tags: ['Auth'],
  security: noBearer,
  summary: 'New access and refresh tokens for a refresh token (which is spent: each is accepted once)',
  description:
    'Replaying a refresh token that was already spent revokes every token refreshed from the same login, so a stolen copy ' +
    'stops working; the mini-program then logs in again with wx.login. An Authorization header is ignored here.',
  request: { body: { required: true, content: { 'application/json': { schema: RefreshBody } } } },
  responses: {
    200: tokens,
    400: errors[400],
    401: error('UNAUTHORIZED: invalid, expired, spent or revoked refresh token; log in again'),
    415: errors[415],
  },
});

/**
 * Mounted only when WeChat is configured (WECHAT_APPID), and before the bearer-token middleware:
 * these routes take their credentials in the body, so a stale access token a client still sends
 * cannot stop it from logging in or refreshing.
 */
export function wechatAuthRoutes(deps: AppDeps, wechat: WechatSettings, users?: UserStandingCache) {
  const { db, logger } = deps;
  const pair = async (user: TokenUser, family?: string) => {
    const t = await issueTokenPair(deps.tokens, user, family);
    return {
      accessToken: t.accessToken,
      token: t.accessToken,
      tokenType: 'Bearer' as const,
      expiresIn: t.expiresIn,
      refreshToken: t.refreshToken,
      refreshExpiresIn: t.refreshExpiresIn,
      user,
    };
  };

  return newRouter()
    .openapi(wechatLogin, async (c) => {
      const { code } = c.req.valid('json');
      const identity = await exchangeCode(wechat, code, (fields) =>
        logger.warn('wechat login failed', { requestId: c.get('requestId'), ...fields }),
      );
      await consumeRate(db, deps.rateLimits, 'login', userIdForOpenid(identity.openid));
      const user = await loginWechatUser(db, identity);
      users?.remember(user.id, 'active');
      logger.info('wechat login', { requestId: c.get('requestId'), userId: user.id, unionid: identity.unionid !== undefined });
      return c.json(await pair(user), 200);
    })
    .openapi(refresh, async (c) => {
      const { refreshToken } = c.req.valid('json');
      const claims = await verifyRefreshToken(deps.tokens, refreshToken);
      const spent = await spendRefreshToken(db, claims);
      if (spent === 'reused') {
        const until = Math.floor(Date.now() / 1000) + (deps.tokens.refreshTtlSeconds ?? DEFAULT_REFRESH_TTL_SECONDS);
        await revokeRefreshFamily(db, claims.family, claims.userId, until);
        logger.warn('refresh token replayed; family revoked', { requestId: c.get('requestId'), userId: claims.userId });
      }
      if (spent !== 'ok') throw new UnauthorizedError('This refresh token was already used or revoked; log in again');
      // An erased user (or one being erased) has no user here: every refresh token issued before is refused.
      const user = await getUser(db, claims.userId);
      if (!user) throw new UnauthorizedError('No such user; log in again');
      return c.json(await pair(user, claims.family), 200);
    });
}
