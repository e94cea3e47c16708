import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ForbiddenError } from '../../shared/errors.js';
import type { AppEnv } from '../env.js';

/** CloudFront sends it (infra/constructs/edge.ts ORIGIN_TOKEN_HEADER). */
const HEADER = 'x-origin-token';
/** WeChat Pay posts to the notify URL it was given, whichever host that is; those requests prove themselves by signature. */
const EXEMPT = new Set(['/payments/wechat/notify']);

/**
 * With the edge stage option (CloudFront + AWS WAF in front), requests that did not come through
 * CloudFront are refused: otherwise anyone could walk around WAF's per-client rate limits to the
 * execute-api URL. Off (no token configured) everywhere else.
 */
export function requireOriginToken(token: string | undefined): MiddlewareHandler<AppEnv> {
  if (!token) return async (_c, next) => next();
  const expected = Buffer.from(token);
  return async (c, next) => {
    if (!EXEMPT.has(c.req.path)) {
      const got = Buffer.from(c.req.header(HEADER) ?? '');
      if (got.length !== expected.length || !timingSafeEqual(got, expected))
        throw new ForbiddenError("Call the API through its CloudFront address (the stack's ApiUrl output)");
    }
    await next();
  };
}
