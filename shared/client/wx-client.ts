import type { paths } from './api-types.js';

/**
 * A typed client over `wx.request`, by path and method of the generated `paths` (as openapi-fetch
 * is over fetch; mini-programs have no fetch). What it does for the caller:
 *   - path parameters into the path (encoded), the query string, a JSON body;
 *   - `Authorization: Bearer` from `token()` when it gives one, `Idempotency-Key` from `idempotencyKey`;
 *   - PATCH, which wx.request cannot send, as POST with `X-HTTP-Method-Override: PATCH`;
 *   - a result, never a throw: `{ok: true, status, data}` for 2xx/3xx, `{ok: false, status, error}`
 *     with the route's error codes typed for 4xx/5xx, and NETWORK_ERROR (status 0) when wx.request
 *     fails (no network, a timeout, a domain not in 服务器域名) or UNEXPECTED_RESPONSE for a body that
 *     is not the API's (a gateway's 502 page).
 * wx.request's `success` fires for every HTTP status, so the status is what decides.
 */

/** What the client uses of wx.request's options (api-typings' WechatMiniprogram.RequestOption). */
export interface WxRequestOption {
  url: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  header: Record<string, string>;
  data?: string;
  timeout?: number;
  /** anything but 'json': the client parses the body itself (and so can tell a JSON body from a gateway's text) */
  dataType: string;
  responseType: 'text';
  success: (result: { data: unknown; statusCode: number; header: Record<string, unknown> }) => void;
  fail: (error: { errMsg: string }) => void;
}

/** `wx.request` itself, or anything that takes its options (a shim in tests). */
export type WxRequest = (option: WxRequestOption) => unknown;

export type Method = 'get' | 'put' | 'post' | 'patch' | 'delete';

/** The paths that have an operation for `M`. */
export type PathsWith<M extends Method> = { [P in keyof paths]: paths[P][M] extends undefined ? never : P }[keyof paths];

type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

type Params<O> = O extends { parameters: infer X } ? X : Record<string, never>;
/** `{name: T}` when the operation has a part `name` of parameters: required if one of them is, absent if none. */
type Part<X, K extends string, As extends string = K> = X extends { [k in K]: infer T }
  ? { [k in As]: T }
  : X extends { [k in K]?: infer T }
    ? [Exclude<T, undefined>] extends [never]
      ? { [k in As]?: undefined }
      : { [k in As]?: T }
    : { [k in As]?: undefined };
type BodyPart<O> = O extends { requestBody: { content: { 'application/json': infer B } } }
  ? { body: B }
  : O extends { requestBody?: { content: { 'application/json': infer B } } }
    ? { body?: B }
    : { body?: undefined };

/**
 * A call's input: `path`, `query` and `header` parameters and `body` as the operation declares them.
 * Distributive over O (`O extends unknown`): while TypeScript still checks a call against every
 * operation of a method, each operation's parts stay together; intersecting the parts' unions
 * instead multiplies them (TS2590 once a method has a few dozen operations).
 */
export type RequestInit<O> = O extends unknown
  ? Part<Params<O>, 'path'> &
      Part<Params<O>, 'query'> &
      Part<Params<O>, 'header'> &
      BodyPart<O> & {
        /** sent as Idempotency-Key (joins: a retry after a timeout gets the first answer) */
        idempotencyKey?: string;
        /** ms; wx.request's default (60000, or app.json networkTimeout) otherwise */
        timeout?: number;
      }
  : never;

type RequiredKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? never : K }[keyof T];
/** The init argument, optional when nothing in it is required. */
type InitArg<O> = [RequiredKeys<RequestInit<O>>] extends [never] ? [init?: RequestInit<O>] : [init: RequestInit<O>];

type Responses<O> = O extends { responses: infer R } ? R : never;
type BodyOf<R> = R extends { content: { 'application/json': infer B } }
  ? B
  : R extends { content: { [type: string]: infer T } }
    ? T
    : undefined;
type StatusClass<S, C extends number> = `${S & number}` extends `${C}${string}` ? S & number : never;

/** Response headers, names in lower case. */
export type ResponseHeaders = Record<string, string>;

export type Success<O> = {
  [S in keyof Responses<O>]: S extends StatusClass<S, 2 | 3>
    ? { ok: true; status: S; data: BodyOf<Responses<O>[S]>; headers: ResponseHeaders }
    : never;
}[keyof Responses<O>];

/** A failure the client itself saw: no answer at all, or one that is not the API's. */
export interface ClientFailure {
  ok: false;
  /** 0 when there was no answer */
  status: number;
  error: { code: 'NETWORK_ERROR' | 'UNEXPECTED_RESPONSE'; message: string; details?: Record<string, unknown> };
  headers: ResponseHeaders;
}

export type Failure<O> =
  | {
      [S in keyof Responses<O>]: S extends StatusClass<S, 4 | 5>
        ? { ok: false; status: S; error: BodyOf<Responses<O>[S]> extends { error: infer E } ? E : never; headers: ResponseHeaders }
        : never;
    }[keyof Responses<O>]
  | ClientFailure;

export type Result<O> = Success<O> | Failure<O>;

export interface ClientOptions {
  /** e.g. `https://api.example.com` (a 服务器域名 of the mini-program), no trailing slash */
  baseUrl: string;
  /** `wx.request` */
  request: WxRequest;
  /** the access token to send, read on every call (after login, after a refresh) */
  token?: () => string | null | undefined;
}

type Call<M extends Method> = <P extends PathsWith<M>>(path: P, ...init: InitArg<Operation<P, M>>) => Promise<Result<Operation<P, M>>>;

export interface Client {
  get: Call<'get'>;
  post: Call<'post'>;
  put: Call<'put'>;
  /** sent as POST with X-HTTP-Method-Override: PATCH */
  patch: Call<'patch'>;
  delete: Call<'delete'>;
}

const WX_METHODS = { get: 'GET', post: 'POST', put: 'PUT', patch: 'POST', delete: 'DELETE' } as const;

type Loose = { path?: Record<string, unknown>; query?: Record<string, unknown>; header?: Record<string, unknown> } & {
  body?: unknown;
  idempotencyKey?: string;
  timeout?: number;
};

export function urlOf(baseUrl: string, template: string, path: Record<string, unknown> = {}, query: Record<string, unknown> = {}): string {
  const filled = template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = path[name];
    if (value === undefined || value === null || value === '') throw new Error(`${template}: path parameter ${name} is missing`);
    return encodeURIComponent(String(value));
  });
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    for (const one of Array.isArray(value) ? value : [value]) {
      if (one !== undefined && one !== null) pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(one))}`);
    }
  }
  return `${baseUrl}${filled}${pairs.length > 0 ? `?${pairs.join('&')}` : ''}`;
}

function lowerCased(header: Record<string, unknown>): ResponseHeaders {
  const out: ResponseHeaders = {};
  for (const [name, value] of Object.entries(header ?? {}))
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  return out;
}

/** The body as the API meant it: JSON when it says so (wx.request may have parsed it already), else the text. */
function bodyOf(data: unknown, headers: ResponseHeaders): { value: unknown; json: boolean } {
  if (typeof data !== 'string') return { value: data, json: typeof data === 'object' && data !== null };
  if (!(headers['content-type'] ?? '').includes('json')) return { value: data === '' ? undefined : data, json: false };
  try {
    return { value: JSON.parse(data), json: true };
  } catch {
    return { value: data, json: false };
  }
}

const isApiError = (v: unknown): v is { error: { code: string; message: string } } =>
  typeof v === 'object' && v !== null && typeof (v as { error?: { code?: unknown } }).error?.code === 'string';

export function createClient(options: ClientOptions): Client {
  const send = (method: Method, template: string, init: Loose = {}): Promise<unknown> =>
    new Promise((resolve) => {
      let url: string;
      try {
        url = urlOf(options.baseUrl, template, init.path, init.query);
      } catch (err) {
        resolve({ ok: false, status: 0, error: { code: 'NETWORK_ERROR', message: (err as Error).message }, headers: {} });
        return;
      }
      const header: Record<string, string> = {};
      for (const [name, value] of Object.entries(init.header ?? {}))
        if (value !== undefined && value !== null) header[name] = String(value);
      const token = options.token?.();
      if (token) header.Authorization = `Bearer ${token}`;
      if (init.idempotencyKey !== undefined) header['Idempotency-Key'] = init.idempotencyKey;
      if (method === 'patch') header['X-HTTP-Method-Override'] = 'PATCH';
      if (init.body !== undefined) header['Content-Type'] = 'application/json';
      options.request({
        url,
        method: WX_METHODS[method],
        header,
        ...(init.body !== undefined ? { data: JSON.stringify(init.body) } : {}),
        ...(init.timeout !== undefined ? { timeout: init.timeout } : {}),
        dataType: 'text',
        responseType: 'text',
        success: ({ data, statusCode, header: raw }) => {
          const headers = lowerCased(raw);
          const body = bodyOf(data, headers);
          if (statusCode >= 200 && statusCode < 400) resolve({ ok: true, status: statusCode, data: body.value, headers });
          else if (body.json && isApiError(body.value)) resolve({ ok: false, status: statusCode, error: body.value.error, headers });
          else resolve({ ok: false, status: statusCode, error: { code: 'UNEXPECTED_RESPONSE', message: `HTTP ${statusCode}` }, headers });
        },
        fail: ({ errMsg }) => resolve({ ok: false, status: 0, error: { code: 'NETWORK_ERROR', message: errMsg }, headers: {} }),
      });
    });
  // The types are the interface's; inside, a call is any path with loose parts.
  const call = (method: Method) => (path: string, init?: Loose) => send(method, path, init);
  return { get: call('get'), post: call('post'), put: call('put'), patch: call('patch'), delete: call('delete') } as unknown as Client;
}
