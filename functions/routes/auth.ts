import { createRoute } from '@hono/zod-openapi';
import { issueToken } from '../../shared/auth/index.js';
import { type UserStandingCache, upsertUser } from '../../shared/people/index.js';
import type { AppDeps } from '../env.js';
import { DevLoginBody, LoginResponse } from '../schemas/auth.js';
import { errors } from '../schemas/common.js';
import { newRouter } from '../validation.js';

const devLogin = createRoute({
  method: 'post',
  path: '/auth/dev-login',
  tags: ['Auth'],
  summary: 'Development login: any openid and nickname get a token. Exists only when DEV_AUTH=true (npm start); 404 in deployed stacks',
  request: { body: { required: true, content: { 'application/json': { schema: DevLoginBody } } } },
  responses: {
    200: { description: 'A bearer token', content: { 'application/json': { schema: LoginResponse } } },
    400: errors[400],
    415: errors[415],
  },
});

/** Mounted only when dev auth is on, so in production the route does not exist at all. */
export function devAuthRoutes(deps: AppDeps, users?: UserStandingCache) {
  return newRouter().openapi(devLogin, async (c) => {
    const { openid, nickname } = c.req.valid('json');
    const user = await upsertUser(deps.db, openid, nickname);
    users?.remember(user.id, 'active');
    return c.json({ token: await issueToken(deps.tokens, user), user }, 200);
  });
}
