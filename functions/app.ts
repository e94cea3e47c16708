import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { NotFoundError, PayloadTooLargeError } from '../shared/errors.js';
import { UserStandingCache } from '../shared/people/index.js';
import type { AppDeps } from './env.js';
import { errorResponder } from './errors.js';
import { lazyRetrying } from './lazy.js';
import { lazyRouteGroups, loadedRouteGroups, type RouteGroups } from './lazy-routes.js';
import { authenticate } from './middleware/auth.js';
import { documentMethodOverride, methodOverride, refuseOtherOverrides } from './middleware/method-override.js';
import { requireOriginToken } from './middleware/origin-token.js';
import { staffAudit } from './middleware/staff-audit.js';
import { devAuthRoutes } from './routes/auth.js';
import { campaignRoutes } from './routes/campaigns.js';
import { entryRoutes } from './routes/entries.js';
import { healthRoutes } from './routes/health.js';
import { meRoutes } from './routes/me.js';
import { numbersRoutes } from './routes/numbers.js';
import { pickupRoutes } from './routes/pickups.js';
import { pointsRoutes } from './routes/points.js';
import { profileRoutes } from './routes/profile.js';
import { reviewRoutes } from './routes/reviews.js';
import { helperRoutes } from './routes/staff.js';
import { staffEntryRoutes } from './routes/staff-entries.js';
import { surveyRoutes } from './routes/surveys.js';
import { wechatAuthRoutes } from './routes/wechat-auth.js';
import { wechatPushRoutes } from './routes/wechat-push.js';
import { wechatPayNotifyRoutes } from './routes/wechatpay-notify.js';
import { newRouter } from './validation.js';

/** 64 KiB is far above any real campaign or join body and far below Lambda's 6 MB. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * The whole HTTP API as one Hono app, built from injected dependencies. The Lambda handler, the
 * local server and the tests all call this same factory. The route modules a cold start does not
 * need are mounted to load on first use (functions/lazy-routes.ts); `/openapi.json` documents an
 * app built with all of them loaded.
 */
export function createApp(deps: AppDeps, groups: RouteGroups = lazyRouteGroups(deps)) {
  const app = newRouter();
  // First: a mini-program's POST + X-HTTP-Method-Override: PATCH is dispatched again as the PATCH, so
  // everything below runs once, for the operation it really is.
  app.use('*', methodOverride(app));
  // Behind API Gateway, reuse its request id so app logs and access logs join on one id.
  app.use('*', requestId({ headerName: 'X-Request-Id', generator: (c) => lambdaRequestId(c.env) ?? crypto.randomUUID() }));
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    // A response a route built itself (not through c.json / c.body) lacks the header set before it.
    if (!c.res.headers.has('X-Request-Id')) c.res.headers.set('X-Request-Id', c.get('requestId'));
    deps.logger.info('request', {
      requestId: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
    });
  });
  app.use('*', secureHeaders({ crossOriginResourcePolicy: false }));
  app.use(
    '*',
    corsHeaders({
      origin: deps.corsOrigins && deps.corsOrigins.length > 0 ? [...deps.corsOrigins] : '*',
      allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id', 'X-HTTP-Method-Override'],
      exposeHeaders: ['X-Request-Id', 'Idempotent-Replayed', 'ETag'],
      allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      maxAge: 600,
    }),
  );
  app.use('*', requireOriginToken(deps.originToken));
  app.use('*', limitBody(MAX_BODY_BYTES));
  app.use('*', refuseOtherOverrides);
  // Login and refresh take their credentials in the body: mounted before the bearer check, so a
  // stale access token a client still sends cannot lock it out of getting a new one.
  // Whether a token's user is erased: shared by the bearer check, the logins (a user just written is
  // active) and DELETE /me (an erasure here is seen at once).
  const users = new UserStandingCache(deps.db, {
    maxTokenTtlSeconds: Math.max(deps.tokens.ttlSeconds, deps.tokens.accessTtlSeconds ?? 0),
  });
  if (deps.wechat) app.route('/', wechatAuthRoutes(deps, deps.wechat, users));
  app.use('*', authenticate(deps.tokens, users));
  // Who of the staff changed entries or money, recorded after each such action succeeds.
  app.use('/campaigns/*', staffAudit(deps));

  app.route('/', healthRoutes());
  if (deps.devAuth) app.route('/', devAuthRoutes(deps, users));
  app.route('/', campaignRoutes(deps));
  groups.mount(app, 'cloneRoutes');
  groups.mount(app, 'contentReviewRoutes');
  app.route('/', staffEntryRoutes(deps));
  app.route('/', entryRoutes(deps));
  groups.mount(app, 'chatTextRoutes');
  groups.mount(app, 'settlementRoutes');
  groups.mount(app, 'callOffRoutes');
  groups.mount(app, 'shortageRoutes');
  groups.mount(app, 'afterSaleRoutes');
  app.route('/', meRoutes(deps));
  app.route('/', helperRoutes(deps));
  groups.mount(app, 'blockRoutes');
  app.route('/', pickupRoutes(deps));
  app.route('/', pointsRoutes(deps));
  app.route('/', reviewRoutes(deps));
  app.route('/', surveyRoutes(deps));
  groups.mount(app, 'paymentRoutes');
  groups.mount(app, 'referralRoutes');
  groups.mount(app, 'wxacodeRoutes');
  groups.mount(app, 'messageRoutes');
  groups.mount(app, 'imageRoutes');
  groups.mount(app, 'communityRoutes');
  // Before the member routes: /communities/{id}/members/export is not a member's id.
  app.route('/', numbersRoutes(deps));
  groups.mount(app, 'communityMemberRoutes');
  groups.mount(app, 'communityTeamRoutes');
  // 消息推送 (image-check verdicts) exists only where its Token is configured.
  if (deps.wechatPush) app.route('/', wechatPushRoutes(deps, deps.wechatPush));
  // WeChat Pay's notify endpoint exists (and is documented) only where WeChat Pay is on.
  if (deps.money.wechatPay) app.route('/', wechatPayNotifyRoutes(deps.money.wechatPay));
  app.route('/', profileRoutes(deps, users));
  // Each PATCH route above also as the POST methodOverride serves (its PUT twin is a route of its own).
  documentMethodOverride(app.openAPIRegistry);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  // As doc31 builds it, made for client generators (functions/openapi-document.ts: operationIds,
  // input and output schemas apart, optional bearer, headers, error codes), loaded on first use.
  const whole = lazyRetrying(async () => createApp(deps, await loadedRouteGroups(deps)));
  app.get('/openapi.json', async (c) =>
    c.json(
      (await import('./openapi-document.js')).forClients(
        (await whole()).getOpenAPI31Document({
          openapi: '3.1.0',
          info: {
            title: '团购接龙 Group-buy API',
            version: '1.0.0',
            description:
              'Campaigns, the numbered 接龙 list, tiered prices (阶梯价) and settlement. Money is integer fen; times are ISO-8601 UTC. ' +
              'Errors are `{"error": {"code", "message", "details"}}`.',
          },
          servers: [{ url: new URL(c.req.url).origin }],
        }),
      ),
    ),
  );
  // The reference page and its assets (served by this API, no CDN) load on the first /docs request, not at cold start.
  app.get('/docs', async (c) => (await import('./docs/routes.js')).docsPage(c));
  app.get('/docs/assets/:hash/:name', async (c) => (await import('./docs/routes.js')).docsAsset(c));

  app.notFound((c) => c.json({ error: { code: new NotFoundError('').code, message: 'No such route' } }, 404));
  app.onError(errorResponder(deps.logger, deps.metrics));
  return app;
}

export type App = ReturnType<typeof createApp>;

type CorsOptions = { origin: string | string[]; allowHeaders: string[]; exposeHeaders: string[]; allowMethods: string[]; maxAge: number };

/**
 * hono's cors with the same options and headers, except that on an ordinary request (not a
 * preflight, which hono's cors answers as before) the headers are set before the route runs with
 * `c.header`, not on `c.res`. hono's cors writes `c.res.headers` first, which makes a placeholder
 * response the route's own is then copied over (`set res`): on @hono/node-server that copy turns
 * the route's lightweight response into a full WHATWG Response whose body the server then reads
 * back as a web stream, on every request.
 */
function corsHeaders(options: CorsOptions): MiddlewareHandler {
  const preflight = cors(options);
  const anyOrigin = options.origin === '*';
  const allowed = typeof options.origin === 'string' ? [options.origin] : options.origin;
  const expose = options.exposeHeaders.join(',');
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    const requestOrigin = c.req.header('origin') || '';
    const allowOrigin = anyOrigin ? '*' : allowed.includes(requestOrigin) ? requestOrigin : null;
    if (allowOrigin) c.header('Access-Control-Allow-Origin', allowOrigin);
    if (expose) c.header('Access-Control-Expose-Headers', expose);
    await next();
    const headers = c.res.headers;
    // A response a route built itself (not through c.json / c.body) lacks what was set above.
    if (allowOrigin && !headers.has('Access-Control-Allow-Origin')) headers.set('Access-Control-Allow-Origin', allowOrigin);
    if (expose && !headers.has('Access-Control-Expose-Headers')) headers.set('Access-Control-Expose-Headers', expose);
    if (!anyOrigin) headers.append('Vary', 'Origin');
  };
}

/**
 * hono's bodyLimit, without its first step for the common case. It starts with `c.req.raw.body`,
 * and on @hono/node-server touching `body` turns the lightweight request into a full WHATWG
 * Request whose body is a web stream over the socket: every POST then pays for a Request, a
 * ReadableStream and a stream-to-stream copy before its JSON is read. A request that declares its
 * length (and is not chunked) is judged by that length, as bodyLimit itself does, and its body is
 * later read straight from the socket; GET and HEAD carry no body; anything else (chunked
 * uploads) goes through bodyLimit, which counts the bytes as they stream.
 */
function limitBody(maxSize: number): MiddlewareHandler {
  const onError = () => {
    throw new PayloadTooLargeError(`Request body over ${maxSize} bytes`);
  };
  const streaming = bodyLimit({ maxSize, onError });
  return async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) return parseInt(length, 10) > maxSize ? onError() : next();
    return streaming(c, next);
  };
}

function lambdaRequestId(env: unknown): string | undefined {
  const id = (env as { event?: { requestContext?: { requestId?: unknown } } } | undefined)?.event?.requestContext?.requestId;
  return typeof id === 'string' ? id : undefined;
}
