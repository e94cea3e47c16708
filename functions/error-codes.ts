import * as auth from '../shared/auth/index.js';
import * as errors from '../shared/errors.js';
import { AppError } from '../shared/errors.js';
import * as money from '../shared/money/index.js';
import * as wechat from '../shared/wechat/index.js';
import { HTTP_CODES } from './errors.js';

/** Error codes by HTTP status: what a client's `error.code` can be for each status. */
export type ErrorCodesByStatus = ReadonlyMap<number, readonly string[]>;

type ErrorClass = abstract new (...args: never[]) => AppError;

/**
 * Read from the error classes themselves (every exported subclass of AppError in shared/errors.ts
 * and the aggregates that define their own), plus the codes functions/errors.ts answers for
 * Hono's own errors and for the unexpected: a new class is in the document without a list to edit.
 * A class's status and code are instance fields, so each is made once with no arguments (the
 * constructors only build a message).
 */
export function errorCodesByStatus(modules: readonly object[] = [errors, auth, wechat, money]): ErrorCodesByStatus {
  const byStatus = new Map<number, Set<string>>();
  const add = (status: number, code: string) => {
    if (!byStatus.has(status)) byStatus.set(status, new Set());
    byStatus.get(status)!.add(code);
  };
  for (const module of modules) {
    for (const value of Object.values(module)) {
      if (typeof value !== 'function' || !(value.prototype instanceof AppError)) continue;
      let instance: AppError;
      try {
        instance = Reflect.construct(value as ErrorClass, []) as AppError;
      } catch {
        continue;
      }
      if (typeof instance.status === 'number' && typeof instance.code === 'string') add(instance.status, instance.code);
    }
  }
  for (const [status, code] of Object.entries(HTTP_CODES)) add(Number(status), code);
  add(500, 'INTERNAL');
  add(503, 'SERVICE_UNAVAILABLE');
  return new Map([...byStatus].sort(([a], [b]) => a - b).map(([status, codes]) => [status, [...codes].sort()]));
}
