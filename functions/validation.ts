import { OpenAPIHono } from '@hono/zod-openapi';
import type { ZodError } from 'zod';
import { ValidationError } from '../shared/errors.js';
import type { AppEnv } from './env.js';

/** Names a client recognizes: `body.items.0.qty`, `path.id`, `query.limit`, `header.idempotency-key`. */
const TARGET_NAMES: Record<string, string> = {
  json: 'body',
  form: 'body',
  param: 'path',
  query: 'query',
  header: 'header',
  cookie: 'cookie',
};

/** Every schema failure becomes 400 VALIDATION_FAILED naming the fields, thrown to app.onError. */
export function validationFailed(error: ZodError, validationTarget: string): ValidationError {
  const target = TARGET_NAMES[validationTarget] ?? validationTarget;
  const fields = error.issues.map((issue) => ({
    path: [target, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  return new ValidationError(`Invalid ${target}: ${fields.map((f) => f.path).join(', ')}`, { fields });
}

/** A sub-app whose zod validation failures go through the same error mapping. */
export function newRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationFailed(result.error as ZodError, result.target);
    },
  });
}
