import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { MetricName, Metrics } from '../shared/metrics.js';
import { isRetryableServiceError } from '../shared/table/index.js';
import type { AppEnv } from './env.js';

/** The codes of Hono's own errors (malformed JSON, wrong media type, body too large), by status. */
export const HTTP_CODES: Readonly<Record<number, string>> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/**
 * The one place errors become responses. Transient database failures (after the SDK's own
 * retries) become 503 SERVICE_UNAVAILABLE with Retry-After.: `{"error": {code, message, details}}`. Domain errors
 * carry their status and code; Hono's own (malformed JSON, wrong media type, body too large) are
 * mapped by status; anything else is logged in full and answered with a generic 500.
 */
/** Refusals worth a metric: a sold-out storm, and content WeChat refused (texts and photos). */
const COUNTED: Partial<Record<string, MetricName>> = { SOLD_OUT: 'SoldOut', CONTENT_REJECTED: 'ContentRejected' };

export function errorResponder(logger: Logger, metrics?: Metrics) {
  return (err: Error, c: Context<AppEnv>) => {
    if (err instanceof AppError) {
      const metric = COUNTED[err.code];
      if (metric) metrics?.count(metric);
      // Rate limits, and dependencies that say when to come back (WeChat's per-minute code quota).
      if (err.retryAfterSeconds !== undefined) c.header('Retry-After', String(err.retryAfterSeconds));
      return c.json({ error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } }, err.status);
    }
    if (err instanceof HTTPException && err.status < 500) {
      const code = HTTP_CODES[err.status] ?? `HTTP_${err.status}`;
      return c.json({ error: { code, message: err.message || code } }, err.status as ContentfulStatusCode);
    }
    if (isRetryableServiceError(err)) {
      logger.warn('database unavailable', { requestId: c.get('requestId'), method: c.req.method, path: c.req.path, err });
      c.header('Retry-After', '1');
      return c.json(
        { error: { code: 'SERVICE_UNAVAILABLE', message: 'The database is busy; retry shortly (with the same Idempotency-Key)' } },
        503,
      );
    }
    logger.error('unhandled error', { requestId: c.get('requestId'), method: c.req.method, path: c.req.path, err });
    return c.json({ error: { code: 'INTERNAL', message: 'Something went wrong on our side; please retry later' } }, 500);
  };
}
