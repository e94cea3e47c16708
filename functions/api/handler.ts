import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { handle } from 'hono/aws-lambda';
import { createApp } from '../app.js';
import { depsFromEnv } from '../bootstrap.js';
import type { AppDeps } from '../env.js';

/**
 * Lambda entry point for API Gateway HTTP API (payload 2.0). Dependencies are built once per cold
 * start (config parse, secret fetch) on the first invocation and reused afterwards. Each
 * invocation's log lines carry its request id and whether it paid the cold start; its metrics are
 * written as one EMF line as it ends.
 */
let ready: Promise<{ deps: AppDeps; run: ReturnType<typeof handle> }> | undefined;
let invocations = 0;

export const handler = async (event: APIGatewayProxyEventV2, context: Context) => {
  ready ??= depsFromEnv().then((deps) => ({ deps, run: handle(createApp(deps)) }));
  ready.catch(() => (ready = undefined)); // a failed start-up (e.g. secret fetch) is retried next time
  const { deps, run } = await ready;
  deps.logger.setContext({ function_request_id: context.awsRequestId, cold_start: invocations++ === 0 });
  try {
    return await run(event as never, context as never);
  } finally {
    deps.metrics?.flush();
  }
};
