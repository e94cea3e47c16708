import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { handle } from 'hono/aws-lambda';
import { createApp } from '../app.js';
import { depsFromEnv } from '../bootstrap.js';
import type { AppDeps } from '../env.js';

/**
 * A Lambda handler for API Gateway HTTP API (payload 2.0) over the app built from `start()`'s
 * dependencies. They are built once per cold start (config parse, secret fetch) on the first
 * invocation and reused afterwards. Each invocation's log lines carry its request id and whether it
 * paid the cold start; its metrics are written as one EMF line as it ends. A factory so that
 * `bench:join -- --transport lambda` runs this same code over dependencies it counts requests on.
 */
export function lambdaHandler(start: () => Promise<AppDeps>) {
  let ready: Promise<{ deps: AppDeps; run: ReturnType<typeof handle> }> | undefined;
  let invocations = 0;
  return async (event: APIGatewayProxyEventV2, context: Context) => {
    ready ??= start().then((deps) => ({ deps, run: handle(createApp(deps)) }));
    ready.catch(() => (ready = undefined)); // a failed start-up (e.g. secret fetch) is retried next time
    const { deps, run } = await ready;
    deps.logger.setContext({ function_request_id: context.awsRequestId, cold_start: invocations++ === 0 });
    try {
      return await run(event as never, context as never);
    } finally {
      deps.metrics?.flush();
    }
  };
}

/** The deployed entry point: dependencies from the environment (functions/bootstrap.ts). */
export const handler = lambdaHandler(() => depsFromEnv());
