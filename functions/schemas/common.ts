import { z } from '@hono/zod-openapi';

/** Integer fen. Upper bound keeps every total far inside Number.MAX_SAFE_INTEGER. */
export const Fen = z.number().int().min(0).max(100_000_000).openapi({ description: 'Money in fen (分): 1290 is ¥12.90', example: 3990 });

export const IsoTime = z.iso.datetime({ offset: true }).openapi({ example: '2026-12-03T12:00:00.000Z' });

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'SOLD_OUT' }),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .openapi('Error');

/**
 * Pagination: a page size of at least 1; larger than `max` asks for too much and gets `max`.
 * `description` replaces the default wording when a route clamps further (per caller).
 */
export const pageQuery = (max: number, description = `page size, default 50; more than ${max} gives ${max}`) =>
  z.object({
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .default(50)
      .transform((n) => Math.min(n, max))
      .openapi({ type: 'integer', minimum: 1, default: 50, description }),
    cursor: z.string().max(2000).optional().openapi({ description: 'nextCursor of the previous page' }),
  });

export const PageQuery = pageQuery(100);

// Ids are opaque and never format-checked: any id that names nothing is 404, whatever its length.
export const CampaignIdParam = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'c_0abc' }),
});

export const error = (description: string) => ({ description, content: { 'application/json': { schema: ErrorSchema } } });

/** Error responses, declared per route so the OpenAPI document lists what each route can answer. */
export const errors = {
  400: error(
    'VALIDATION_FAILED: body, query or path fails its schema; `details.fields` names them. AMOUNT_TOO_LARGE: a campaign whose stock is worth more than ¥1,000,000,000,000, or a prepaid entry above WeChat Pay’s ¥10,000,000 an order',
  ),
  401: error('UNAUTHORIZED: missing, malformed or expired token'),
  403: error('FORBIDDEN: not the leader / not the entry owner; BLOCKED (joins): the leader or a helper blocked you from this campaign'),
  404: error('NOT_FOUND: no such campaign, share code or entry'),
  409: error(
    'CAMPAIGN_NOT_OPEN, SOLD_OUT, LIMIT_EXCEEDED, ALREADY_JOINED, INVALID_STATE, CONFLICT (retry) or TOO_MANY_EXPIRED_HOLDS (joins: 2 unpaid holds expired in this campaign)',
  ),
  415: error('UNSUPPORTED_MEDIA_TYPE: send Content-Type: application/json'),
  413: error('PAYLOAD_TOO_LARGE: request bodies are limited to 64 KiB'),
  422: error(
    'IDEMPOTENCY_KEY_REUSED: same Idempotency-Key, different body. CONTENT_REJECTED: WeChat content security judged a text risky; `details.field` names it (e.g. body.items[0].name)',
  ),
  429: error(
    'RATE_LIMITED: too many requests of this kind by this user in the current window (a minute; an hour for creating campaigns); wait the Retry-After seconds',
  ),
  502: error('PAYMENT_PROVIDER_ERROR: WeChat Pay refused the request or answered something we cannot trust'),
  503: error(
    'SERVICE_UNAVAILABLE: the database stayed busy (retry after Retry-After seconds; a join with the same Idempotency-Key), or WeChat content security could not be reached (campaign create/edit, nickname: retry in a few seconds)',
  ),
} as const;

export const bearer = [{ bearerAuth: [] }];

/**
 * No bearer concerns the caller (logins, WeChat's signed callbacks). Routes that declare neither
 * this nor `bearer` are public with an optional bearer (functions/openapi-security.ts).
 */
export const noBearer: Array<Record<string, string[]>> = [];

/** A JSON response of `schema`, for route declarations. */
export const jsonResponse = <T extends z.ZodTypeAny>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
