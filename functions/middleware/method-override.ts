import { type OpenAPIHono, type RouteConfig, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { ValidationError } from '../../shared/errors.js';
import type { AppEnv } from '../env.js';

/**
 * wx.request has no PATCH (its methods: OPTIONS GET HEAD POST PUT DELETE TRACE CONNECT), so a
 * mini-program reaches a PATCH route in one of two ways: PUT on the same path (a twin route, see
 * `putTwin`), or POST with `X-HTTP-Method-Override: PATCH` (this file). Both run the PATCH route's own
 * middleware, validation and handler, so authorization and errors are the same by construction.
 */
export const METHOD_OVERRIDE_HEADER = 'x-http-method-override';
const OVERRIDABLE = 'PATCH';

type Dispatch = Pick<OpenAPIHono<AppEnv>, 'fetch'>;

/**
 * As hono's methodOverride({ header }) does, a POST carrying the header is dispatched again through the
 * app as the method it names (routing is decided before middleware runs, so the method cannot just be
 * changed in place); unlike it, only POST → PATCH. Mounted first, so the outer pass does nothing else
 * and request id, logging, CORS, body limit and auth run once, for the PATCH. On a path without a PATCH
 * route the answer is 404: a POST route there (a join) is never run by mistake.
 */
export function methodOverride(app: Dispatch): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method !== 'POST' || c.req.header(METHOD_OVERRIDE_HEADER)?.toUpperCase() !== OVERRIDABLE) return next();
    const headers = new Headers(c.req.raw.headers);
    headers.delete(METHOD_OVERRIDE_HEADER);
    return app.fetch(new Request(c.req.raw, { method: OVERRIDABLE, headers }), c.env, executionCtx(c));
  };
}

/**
 * A POST still carrying the header names a method other than PATCH: 400 rather than silently running
 * the POST (or an override to DELETE). Other methods ignore the header. Mounted after the request id
 * and CORS so the 400 carries them.
 */
export const refuseOtherOverrides: MiddlewareHandler<AppEnv> = async (c, next) => {
  const value = c.req.method === 'POST' ? c.req.header(METHOD_OVERRIDE_HEADER) : undefined;
  if (value === undefined) return next();
  throw new ValidationError(`${METHOD_OVERRIDE_HEADER} may only be ${OVERRIDABLE}`, {
    fields: [
      { path: `header.${METHOD_OVERRIDE_HEADER}`, message: `only ${OVERRIDABLE} can be sent as POST; other methods are sent as they are` },
    ],
  });
};

/** The PUT twin of a PATCH route: same path, request, responses and middleware, for wx.request. */
export function putTwin<R extends RouteConfig & { method: 'patch' }>(route: R): Omit<R, 'method'> & { method: 'put' } {
  return {
    ...route,
    method: 'put',
    summary: `${route.summary ?? ''} (PUT: the same as PATCH, for wx.request)`.trim(),
  };
}

type Registry = OpenAPIHono<AppEnv>['openAPIRegistry'];

const overrideHeader = z.object({
  [METHOD_OVERRIDE_HEADER]: z.enum([OVERRIDABLE]).openapi({ description: 'wx.request has no PATCH: POST with this header is the PATCH' }),
});

/**
 * Declares in /openapi.json, for every PATCH route registered so far, the POST that `methodOverride`
 * turns into it: the same operation with the header required. (Documentation only: the POST is served
 * by dispatching the PATCH.)
 */
export function documentMethodOverride(registry: Registry): void {
  for (const def of registry.definitions) {
    if (def.type !== 'route' || def.route.method !== 'patch') continue;
    const { route } = def;
    const headers = route.request?.headers;
    if (headers !== undefined && !(headers instanceof z.ZodObject)) throw new Error(`${route.path}: cannot add the override header`);
    registry.registerPath({
      ...route,
      method: 'post',
      summary: `${route.summary ?? ''} (POST with X-HTTP-Method-Override: PATCH, for wx.request)`.trim(),
      request: { ...route.request, headers: headers ? headers.extend(overrideHeader.shape) : overrideHeader },
    });
  }
}

function executionCtx(c: Context<AppEnv>) {
  // c.executionCtx throws where the runtime has none (Node, Lambda), as in hono's methodOverride.
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}
