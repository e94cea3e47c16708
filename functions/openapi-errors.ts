import type { ErrorCodesByStatus } from './error-codes.js';

/**
 * Each route's error codes as enums. A route declares an error response per status with the
 * shared `Error` body (`code` any string) and a description naming its codes ("INVALID_STATE: …
 * CONFLICT: …"). Here each such body becomes a schema whose `code` is an enum: the codes of that
 * status (functions/error-codes.ts) the description names, plus those every route of the status
 * can answer (VALIDATION_FAILED, SERVICE_UNAVAILABLE: the database busy); a description naming none
 * gets every code of its status. Bodies with the same codes share one component, `Error<status>`
 * when it is every code of the status, else `Error<status><Codes>` (e.g. `Error409InvalidState`).
 */

type Json = Record<string, unknown>;
type Doc = { paths?: object; components?: { schemas?: Record<string, unknown> } };

const ERROR_REF = '#/components/schemas/Error';
const EVERY_ROUTE: Record<number, readonly string[]> = { 400: ['VALIDATION_FAILED'], 503: ['SERVICE_UNAVAILABLE'] };

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const pascal = (code: string) =>
  code
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

/** The codes of `status` a response with this description can carry. */
export function codesFor(status: number, description: string, catalog: ErrorCodesByStatus): readonly string[] {
  const known = catalog.get(status) ?? [];
  const named = new Set(description.match(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|\b[A-Z]{4,}\b/g) ?? []);
  const codes = known.filter((code) => named.has(code) || EVERY_ROUTE[status]?.includes(code));
  return codes.length > 0 ? codes : known;
}

function errorSchema(codes: readonly string[]): Json {
  return {
    type: 'object',
    properties: {
      error: {
        type: 'object',
        properties: {
          code: { type: 'string', enum: [...codes], example: codes[0] },
          message: { type: 'string', description: 'for people (a log, a toast); clients branch on `code`' },
          details: {
            type: 'object',
            additionalProperties: {},
            description: 'what the code says more about, e.g. `fields` of VALIDATION_FAILED',
          },
        },
        required: ['code', 'message'],
      },
    },
    required: ['error'],
  };
}

/** The document with every `Error` body of a status ≥ 400 narrowed to its codes (changed in place, returned). */
export function withErrorCodes<T extends Doc>(doc: T, catalog: ErrorCodesByStatus): T {
  doc.components ??= {};
  const schemas = doc.components.schemas ?? {};
  doc.components.schemas = schemas;
  for (const item of Object.values(doc.paths ?? {})) {
    if (!isObject(item)) continue;
    for (const op of Object.values(item)) {
      if (!isObject(op) || !isObject(op.responses)) continue;
      for (const [key, response] of Object.entries(op.responses)) {
        const status = Number(key);
        if (!(status >= 400) || !isObject(response) || !isObject(response.content)) continue;
        const json = response.content['application/json'];
        if (!isObject(json) || !isObject(json.schema) || json.schema.$ref !== ERROR_REF) continue;
        const codes = codesFor(status, typeof response.description === 'string' ? response.description : '', catalog);
        if (codes.length === 0) continue;
        const every = (catalog.get(status) ?? []).length === codes.length;
        const name = `Error${status}${every ? '' : codes.map(pascal).join('')}`;
        schemas[name] ??= errorSchema(codes);
        json.schema = { $ref: `#/components/schemas/${name}` };
      }
    }
  }
  // The generic body stays for what is not a route's (404 of an unknown path), if anything still names it.
  if (!JSON.stringify(doc.paths ?? {}).includes(`"${ERROR_REF}"`)) delete schemas.Error;
  return doc;
}
