/**
 * Who may call each operation, as generators read it. Routes that need a user declare
 * `security: bearer`; routes no bearer concerns (logins, WeChat's callbacks) declare `security: []`.
 * Every other route is public with an optional bearer: the authenticate middleware reads one if it
 * is sent (a member sees their own line, staff see names) and answers 401 for a broken one, so these
 * get `security: [{}, {bearerAuth: []}]` and, if they lack it, that 401.
 */

type Json = Record<string, unknown>;
type Doc = { paths?: object; components?: { schemas?: Record<string, unknown> } };

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export const OPTIONAL_BEARER = [{}, { bearerAuth: [] }];

/** The document with the optional bearer declared on public routes (changed in place, returned). */
export function withOptionalBearer<T extends Doc>(doc: T): T {
  for (const item of Object.values(doc.paths ?? {})) {
    if (!isObject(item)) continue;
    for (const op of Object.values(item)) {
      if (!isObject(op) || op.security !== undefined) continue;
      op.security = structuredClone(OPTIONAL_BEARER);
      const responses = isObject(op.responses) ? op.responses : {};
      op.responses = {
        ...responses,
        ...('401' in responses
          ? {}
          : {
              401: {
                description:
                  'UNAUTHORIZED: an Authorization header was sent and its token is malformed, expired or revoked (send none to read anonymously)',
                content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
              },
            }),
      };
    }
  }
  return doc;
}
