import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { AppDeps, AppEnv } from './env.js';
import { errorResponder } from './errors.js';
import { lazyRetrying } from './lazy.js';
import { newRouter } from './validation.js';

/**
 * Route modules a cold start neither loads nor builds: money, exports, WeChat extras and the
 * community's tools, in chunks of their own (infra/bundling.ts splits on `import()`), imported on the
 * first request for any of their paths and each built on the first request for one of its own.
 * `npm run bench:coldstart` measures what that saves.
 *
 * Each is mounted where its eager `app.route` stood, as middleware on its paths: routes registered
 * before it still win, and a path it has no route for (another method, or a later route's path that
 * one of its patterns also matches) falls through to what comes after, as if it were not there.
 * `paths` lists every path the module can register, under any configuration; test/routes/lazy-routes.test.ts
 * keeps it equal to what the module registers.
 */
type Router = ReturnType<typeof newRouter>;

/**
 * All of them behind one `import()`: the first request for any loads them all (≈100 KiB). One
 * import per module made esbuild cut what they share with the eager routes into 37 chunks instead
 * of 13, and loading those at start ate what leaving the modules out saved.
 */
const modules = () => import('./lazy-route-modules.js');

export interface LazyModule {
  readonly paths: readonly string[];
  readonly load: (deps: AppDeps) => Promise<Router>;
}

type Factories = Awaited<ReturnType<typeof modules>>;

/** Every path each module can register, keyed by the factory functions/lazy-route-modules.ts exports for it. */
const PATHS: Record<keyof Factories, readonly string[]> = {
  cloneRoutes: ['/campaigns/:id/clone'],
  contentReviewRoutes: ['/campaigns/:id/content-review/acknowledge'],
  chatTextRoutes: ['/campaigns/:id/entries.txt', '/campaigns/:id/entries/text'],
  settlementRoutes: [
    '/campaigns/:id/settle',
    '/campaigns/:id/settlement',
    '/campaigns/:id/settlement.csv',
    '/campaigns/:id/settlement.xlsx',
  ],
  callOffRoutes: ['/campaigns/:id/call-off'],
  shortageRoutes: ['/campaigns/:id/shortage'],
  afterSaleRoutes: [
    '/campaigns/:id/entries/:entryId/after-sale/uploads',
    '/campaigns/:id/entries/:entryId/after-sale',
    '/campaigns/:id/after-sales',
    '/campaigns/:id/after-sales/:requestId/decision',
  ],
  blockRoutes: ['/campaigns/:id/blocks', '/campaigns/:id/blocks/:userId'],
  paymentRoutes: [
    '/campaigns/:id/payments',
    '/campaigns/:id/payments.csv',
    '/campaigns/:id/payments.xlsx',
    '/campaigns/:id/entries/:entryId/payment',
    '/campaigns/:id/entries/:entryId/payment/prepay',
    '/campaigns/:id/entries/:entryId/payment/sync',
    '/campaigns/:id/refunds',
    '/campaigns/:id/refunds/:outRefundNo/retry',
    '/campaigns/:id/ledger',
  ],
  referralRoutes: ['/campaigns/:id/referrals', '/me/referral'],
  wxacodeRoutes: ['/campaigns/:id/wxacode'],
  messageRoutes: ['/me/subscriptions', '/campaigns/:id/pickup-points/:pointId/arrived', '/campaigns/:id/messages'],
  imageRoutes: [
    '/campaigns/:id/images/uploads',
    '/campaigns/:id/images',
    '/campaigns/:id/images/:imageId',
    '/media/:campaignId/:imageId/:variant',
  ],
  communityRoutes: ['/communities', '/communities/:id', '/communities/:id/campaigns', '/me/communities'],
  communityMemberRoutes: [
    '/communities/:id/members',
    '/communities/:id/leave',
    '/communities/:id/following',
    '/communities/:id/members/:userId',
    '/communities/:id/members/:userId/approve',
    '/communities/:id/members/:userId/block',
  ],
  communityTeamRoutes: [
    '/communities/:id/team',
    '/communities/:id/invitations',
    '/invitations/:token',
    '/invitations/:token/accept',
    '/communities/:id/team/:userId',
  ],
};

export type LazyRouteName = keyof Factories;

export const LAZY_ROUTES = Object.fromEntries(
  (Object.keys(PATHS) as LazyRouteName[]).map((name) => [
    name,
    { paths: PATHS[name], load: async (deps: AppDeps) => (await modules())[name](deps) },
  ]),
) as Record<LazyRouteName, LazyModule>;

/** How createApp mounts the lazy modules: on first use (what it serves), or already loaded (what /openapi.json documents). */
export interface RouteGroups {
  mount(app: Router, name: LazyRouteName): void;
}

/** Every module loaded and built now, mounted as plain `app.route`s: the whole API, for its OpenAPI document. */
export async function loadedRouteGroups(deps: AppDeps): Promise<RouteGroups> {
  const names = Object.keys(LAZY_ROUTES) as LazyRouteName[];
  const routers = new Map(await Promise.all(names.map(async (n) => [n, await LAZY_ROUTES[n].load(deps)] as const)));
  return { mount: (app, name) => app.route('/', routers.get(name)!) };
}

/** The app's modules (LAZY_ROUTES), each imported and built on the first request for one of its paths. */
export const lazyRouteGroups = (deps: AppDeps): RouteGroups => onFirstUse(deps, LAZY_ROUTES);

/** Mounts `modules` to be loaded on first use; a failed load (a chunk not readable) is tried again on the next request. */
export function onFirstUse<N extends string>(
  deps: AppDeps,
  modules: Readonly<Record<N, LazyModule>>,
): { mount(app: Router, name: N): void } {
  return {
    mount(app, name) {
      const module = modules[name];
      const router = lazyRetrying(async () => wrap(await module.load(deps), deps));
      const dispatch: MiddlewareHandler<AppEnv> = async (c, next) => {
        const res = await (await router()).fetch(c.req.raw, { ...(c.env as object), [PARENT]: c });
        if (MISSES.has(res)) return next();
        return res;
      };
      for (const path of module.paths) app.use(path, dispatch);
    },
  };
}

const PARENT = Symbol('the request context the module was dispatched from');
/** The answers a module gives for a path it has no route for: the dispatch then goes on past it. */
const MISSES = new WeakSet<Response>();

/**
 * The module's routes behind the app's own edges: what the app's middleware put in the context
 * (user, request id) comes in, the route that answered goes back out (the staff audit names the
 * operation by it), errors are answered as the app answers them, and no route is a miss.
 */
function wrap(routes: Router, deps: AppDeps): Router {
  const router = newRouter();
  router.use('*', async (c, next) => {
    const parent = (c.env as { [PARENT]: Context<AppEnv> })[PARENT];
    c.set('user', parent.get('user'));
    c.set('requestId', parent.get('requestId'));
    await next();
    if (!MISSES.has(c.res)) parent.set('matchedRoute', routePath(c));
  });
  router.route('/', routes);
  router.notFound(() => {
    const miss = new Response(null, { status: 404 });
    MISSES.add(miss);
    return miss;
  });
  router.onError(errorResponder(deps.logger, deps.metrics));
  return router;
}
