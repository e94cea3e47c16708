import { type ErrorCodesByStatus, errorCodesByStatus } from './error-codes.js';
import { withErrorCodes } from './openapi-errors.js';
import { withResponseHeaders } from './openapi-headers.js';
import { withInputSchemas } from './openapi-inputs.js';
import { withOptionalBearer } from './openapi-security.js';
import { withOperationIds } from './operation-ids.js';

/**
 * The served /openapi.json: the routes' document as @hono/zod-openapi builds it, made into one that
 * generates good clients (openapi-typescript with its default settings, shared/client/): a stable
 * operationId on every operation, request and response schemas apart, the optional bearer of
 * public routes, the headers the middleware adds, and each error response's codes as an enum.
 * Loaded on the first /openapi.json request, not at cold start (it reads every aggregate's errors).
 */
let catalog: ErrorCodesByStatus | undefined;

export function forClients<T extends { paths?: object; components?: object }>(doc: T): T {
  catalog ??= errorCodesByStatus();
  // The bearer step adds 401 bodies, so it runs before error codes; the input step clones first.
  return withResponseHeaders(withErrorCodes(withOptionalBearer(withInputSchemas(withOperationIds(doc))), catalog));
}
