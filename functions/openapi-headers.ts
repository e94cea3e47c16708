/**
 * Response headers the middleware and error mapping add, declared where they are sent (a route
 * declares what it sets itself; nothing it declares is replaced):
 *   - X-Request-Id on every response (functions/app.ts; API Gateway's request id behind it);
 *   - Retry-After on 429 and 503 (functions/errors.ts: rate limits, the database busy, WeChat's quota);
 *   - Idempotent-Replayed on the 2xx of every operation that takes an Idempotency-Key;
 *   - ETag and Cache-Control on the 200 and 304 of conditional reads (functions/read-caching.ts),
 *     whose If-None-Match request header is declared too.
 */

type Json = Record<string, unknown>;
type Doc = { paths?: object; components?: { headers?: Record<string, unknown>; parameters?: Record<string, unknown> } };

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Headers always present are components, referred to (generators type a referred header as
 * present); those only sometimes present are written out with `required: false`, which
 * openapi-typescript reads only on a header written in place.
 */
const HEADERS: Record<string, Json> = {
  RequestId: {
    description: 'The request id (API Gateway’s behind it): quote it when reporting a problem',
    required: true,
    schema: { type: 'string', example: '0e3c2f8a-5d3b-4a8e-9f1c-1b2a3c4d5e6f' },
  },
  ETag: {
    description: 'A strong validator of this exact body: send it back as If-None-Match to get 304 when nothing changed',
    required: true,
    schema: { type: 'string', example: '"3q2-7wEjRFWGd4iZqrvM3w"' },
  },
  CacheControl: {
    description: 'How long a cache may keep this answer (a CDN shares an anonymous reader’s for a second)',
    required: true,
    schema: { type: 'string', example: 'public, max-age=1, stale-while-revalidate=5' },
  },
};

const SOMETIMES: Record<string, Json> = {
  RetryAfter: {
    description: 'Seconds to wait before retrying (a join with the same Idempotency-Key); sent when the server knows',
    required: false,
    schema: { type: 'string', pattern: '^[0-9]+$', example: '1' },
  },
  IdempotentReplayed: {
    description: '`true` when this is the first answer to the same Idempotency-Key, replayed for a retry; absent otherwise',
    required: false,
    schema: { type: 'string', enum: ['true'] },
  },
};

const ref = (name: string) => ({ $ref: `#/components/headers/${name}` });

const IF_NONE_MATCH = {
  name: 'If-None-Match',
  in: 'header',
  required: false,
  description: 'The ETag of the answer you hold (several comma-separated, or `*`): 304 without a body when it is still current',
  schema: { type: 'string' },
};

/** Adds `name` to a response's headers unless it declares that header already (in any case). */
function declare(response: Json, name: string, header: string): boolean {
  const headers = isObject(response.headers) ? response.headers : {};
  if (Object.keys(headers).some((k) => k.toLowerCase() === name.toLowerCase())) return false;
  response.headers = { ...headers, [name]: SOMETIMES[header] ? structuredClone(SOMETIMES[header]) : ref(header) };
  return true;
}

const hasHeaderParam = (op: Json, name: string) =>
  Array.isArray(op.parameters) && op.parameters.some((p) => isObject(p) && p.in === 'header' && String(p.name).toLowerCase() === name);

/** The document with those headers declared (changed in place, returned). */
export function withResponseHeaders<T extends Doc>(doc: T): T {
  const used = new Set<string>();
  const add = (response: Json, name: string, header: string) => {
    declare(response, name, header);
    if (header in HEADERS && JSON.stringify(response.headers).includes(`#/components/headers/${header}"`)) used.add(header);
  };
  for (const item of Object.values(doc.paths ?? {})) {
    if (!isObject(item)) continue;
    for (const op of Object.values(item)) {
      if (!isObject(op) || !isObject(op.responses)) continue;
      const conditional = '304' in op.responses;
      const idempotent = hasHeaderParam(op, 'idempotency-key');
      for (const [status, response] of Object.entries(op.responses)) {
        if (!isObject(response)) continue;
        add(response, 'X-Request-Id', 'RequestId');
        if (status === '429' || status === '503') add(response, 'Retry-After', 'RetryAfter');
        if (idempotent && status.startsWith('2')) add(response, 'Idempotent-Replayed', 'IdempotentReplayed');
        if (conditional && (status === '200' || status === '304')) {
          add(response, 'ETag', 'ETag');
          add(response, 'Cache-Control', 'CacheControl');
        }
      }
      if (conditional && !hasHeaderParam(op, 'if-none-match'))
        op.parameters = [...(Array.isArray(op.parameters) ? op.parameters : []), IF_NONE_MATCH];
    }
  }
  doc.components ??= {};
  const components = doc.components;
  components.headers = { ...components.headers, ...Object.fromEntries([...used].sort().map((name) => [name, HEADERS[name]])) };
  return doc;
}
