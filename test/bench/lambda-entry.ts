// The entry `bench:join -- --transport lambda` bundles as the API is deployed (infra/bundling.ts) and
// drives with API Gateway HTTP API v2 events: the deployed handler's own code (lambdaHandler over
// depsFromEnv, functions/api/handler.ts), with one hook to count the DynamoDB requests it makes.
import { lambdaHandler } from '../../functions/api/handler.js';
import { depsFromEnv } from '../../functions/bootstrap.js';
import type { AppDeps } from '../../functions/env.js';

export function instrumentedHandler(instrument: (deps: AppDeps) => AppDeps) {
  return lambdaHandler(async () => instrument(await depsFromEnv()));
}
