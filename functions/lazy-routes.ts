import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { AppDeps, AppEnv } from './env.js';
import { errorResponder } from './errors.js';
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

export const LAZY_ROUTES = {
  clone: { paths: ['/campaigns/:id/clone'], load: async (d) => (await modules()).cloneRoutes(d) },
  contentReview: {
    paths: ['/campaigns/:id/content-review/acknowledge'],
    load: async (d) => (await modules()).contentReviewRoutes(d),
  },
  chatText: {
    paths: ['/campaigns/:id/entries.txt', '/campaigns/:id/entries/text'],
    load: async (d) => (await modules()).chatTextRoutes(d),
  },
  settlement: {
    paths: ['/campaigns/:id/settle', '/campaigns/:id/settlement', '/campaigns/:id/settlement.csv', '/campaigns/:id/settlement.xlsx'],
    load: async (d) => (await modules()).settlementRoutes(d),
  },
  callOff: { paths: ['/campaigns/:id/call-off'], load: async (d) => (await modules()).callOffRoutes(d) },
  shortage: { paths: ['/campaigns/:id/shortage'], load: async (d) => (await modules()).shortageRoutes(d) },
  afterSales: {
    paths: [
      '/campaigns/:id/entries/:entryId/after-sale/uploads',
      '/campaigns/:id/entries/:entryId/after-sale',
      '/campaigns/:id/after-sales',
      '/campaigns/:id/after-sales/:requestId/decision',
    ],
    load: async (d) => (await modules()).afterSaleRoutes(d),
  },
  blocks: {
    paths: ['/campaigns/:id/blocks', '/campaigns/:id/blocks/:userId'],
    load: async (d) => (await modules()).blockRoutes(d),
  },
  payments: {
    paths: [
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
    load: async (d) => (await modules()).paymentRoutes(d),
  },
  referrals: {
    paths: ['/campaigns/:id/referrals', '/me/referral'],
    load: async (d) => (await modules()).referralRoutes(d),
  },
  wxacode: { paths: ['/campaigns/:id/wxacode'], load: async (d) => (await modules()).wxacodeRoutes(d) },
  messages: {
    paths: ['/me/subscriptions', '/campaigns/:id/pickup-points/:pointId/arrived', '/campaigns/:id/messages'],
    load: async (d) => (await modules()).messageRoutes(d),
  },
  images: {
    paths: [
      '/campaigns/:id/images/uploads',
      '/campaigns/:id/images',
      '/campaigns/:id/images/:imageId',
      '/media/:campaignId/:imageId/:variant',
    ],
    load: async (d) => (await modules()).imageRoutes(d),
  },
  communities: {
    paths: ['/communities', '/communities/:id', '/communities/:id/campaigns', '/me/communities'],
    load: async (d) => (await modules()).communityRoutes(d),
  },
  communityMembers: {
    paths: [
      '/communities/:id/members',
      '/communities/:id/leave',
      '/communities/:id/following',
      '/communities/:id/members/:userId',
      '/communities/:id/members/:userId/approve',
      '/communities/:id/members/:userId/block',
    ],
    load: async (d) => (await modules()).communityMemberRoutes(d),
  },
  communityTeam: {
    paths: [
      '/communities/:id/team',
      '/communities/:id/invitations',
      '/invitations/:token',
      '/invitations/:token/accept',
      '/communities/:id/team/:userId',
    ],
    load: async (d) => (await modules()).communityTeamRoutes(d),
  },
} satisfies Record<string, LazyModule>;

export type LazyRouteName = keyof typeof LAZY_ROUTES;

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

/** Each module imported and built on the first request for one of its paths (a failed import is retried on the next). */
export function lazyRouteGroups<N extends string = LazyRouteName>(
  deps: AppDeps,
  modules: Readonly<Record<N, LazyModule>> = LAZY_ROUTES as unknown as Record<N, LazyModule>,
): { mount(app: Router, name: N): void } {
  return {
    mount(app, name) {
      const module = modules[name];
      let built: Promise<Router> | undefined;
      const router = () =>
        (built ??= module
          .load(deps)
          .then((routes) => wrap(routes, deps))
          .catch((err) => {
            built = undefined;
            throw err;
          }));
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
