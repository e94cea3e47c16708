import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { systemClock, type Clock } from '../shared/clock.js';
import { ConfigError, parseConfig, type Config } from '../shared/config.js';
import { createDocumentClient } from '../shared/db/client.js';
import type { DbContext } from '../shared/db/context.js';
import { createLogger } from '../shared/logger.js';
import type { AppDeps } from './env.js';

/** The signing secret: AUTH_SECRET if set (local runs, tests), else Secrets Manager, once per cold start. */
async function authSecret(config: Config): Promise<string> {
  if (config.AUTH_SECRET) return config.AUTH_SECRET;
  if (!config.AUTH_SECRET_ARN) throw new ConfigError('Invalid configuration: AUTH_SECRET or AUTH_SECRET_ARN is required');
  const client = new SecretsManagerClient({ region: config.AWS_REGION });
  const out = await client.send(new GetSecretValueCommand({ SecretId: config.AUTH_SECRET_ARN }));
  if (!out.SecretString) throw new Error(`Secret ${config.AUTH_SECRET_ARN} has no string value`);
  return out.SecretString;
}

export function dbFromConfig(config: Config, clock: Clock = systemClock): DbContext {
  return {
    doc: createDocumentClient({ region: config.AWS_REGION, ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}) }),
    tableName: config.TABLE_NAME,
    clock,
  };
}

/** Build the app's dependencies from the environment: parsed once, failing fast by key name. */
export async function depsFromEnv(env: Record<string, string | undefined> = process.env): Promise<AppDeps> {
  const config = parseConfig(env);
  return {
    db: dbFromConfig(config),
    tokens: { secret: await authSecret(config), issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, ttlSeconds: config.AUTH_TOKEN_TTL_SECONDS },
    devAuth: config.DEV_AUTH,
    logger: createLogger(config.LOG_LEVEL),
    corsOrigins: config.CORS_ORIGINS ? config.CORS_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean) : [],
  };
}
