import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { handle } from 'hono/aws-lambda';
import { createApp } from '../app.js';
import { depsFromEnv } from '../bootstrap.js';

/**
 * Lambda entry point for API Gateway HTTP API (payload 2.0). Dependencies are built once per cold
 * start (config parse, secret fetch) on the first invocation and reused afterwards.
 */
let ready: Promise<ReturnType<typeof handle>> | undefined;

export const handler = async (event: APIGatewayProxyEventV2, context: Context) => {
  ready ??= depsFromEnv().then((deps) => handle(createApp(deps)));
  ready.catch(() => (ready = undefined)); // a failed start-up (e.g. secret fetch) is retried next time
  return (await ready)(event as never, context as never);
};
