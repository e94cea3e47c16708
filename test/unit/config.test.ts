import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../shared/config.js';

const base = { TABLE_NAME: 'tuangou-test' };

function failure(env: Record<string, string | undefined>): ConfigError {
  try {
    parseConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected parseConfig(${JSON.stringify(env)}) to fail`);
}

describe('parseConfig: required settings', () => {
  it.each([
    { name: 'missing', env: {} },
    { name: 'undefined', env: { TABLE_NAME: undefined } },
    { name: 'empty', env: { TABLE_NAME: '' } },
  ])('TABLE_NAME $name → a ConfigError naming TABLE_NAME', ({ env }) => {
    expect(failure(env).message).toMatch(/TABLE_NAME/);
  });

  it('reports every bad setting in one message', () => {
    const message = failure({ LOG_LEVEL: 'loud', DEV_AUTH: 'maybe' }).message;
    expect(message).toMatch(/TABLE_NAME/);
    expect(message).toMatch(/LOG_LEVEL/);
    expect(message).toMatch(/DEV_AUTH/);
  });
});

describe('parseConfig: defaults', () => {
  it('fills in every default from TABLE_NAME alone', () => {
    const config = parseConfig(base);
    expect(config).toMatchObject({
      TABLE_NAME: 'tuangou-test',
      AWS_REGION: 'ap-east-1',
      AUTH_ISSUER: 'tuangou-api',
      AUTH_AUDIENCE: 'tuangou-miniprogram',
      AUTH_TOKEN_TTL_SECONDS: 7 * 24 * 60 * 60,
      DEV_AUTH: false,
      LOG_LEVEL: 'info',
    });
    expect(config.DYNAMODB_ENDPOINT).toBeUndefined();
    expect(config.AUTH_SECRET).toBeUndefined();
    expect(config.AUTH_SECRET_ARN).toBeUndefined();
    expect(config.CORS_ORIGINS).toBeUndefined();
  });

  it('reads only the env object it is given and ignores unknown variables', () => {
    const config = parseConfig({ ...base, PATH: '/usr/bin', SOMETHING_ELSE: 'x' });
    expect(config.TABLE_NAME).toBe('tuangou-test');
    expect('PATH' in config).toBe(false);
  });

  it('explicit values override defaults', () => {
    const config = parseConfig({
      ...base,
      AWS_REGION: 'cn-north-1',
      AUTH_ISSUER: 'iss',
      AUTH_AUDIENCE: 'aud',
      AUTH_TOKEN_TTL_SECONDS: '3600',
      LOG_LEVEL: 'debug',
      CORS_ORIGINS: 'https://a.example',
      AUTH_SECRET_ARN: 'arn:aws:secretsmanager:ap-east-1:123456789012:secret:x',
    });
    expect(config).toMatchObject({
      AWS_REGION: 'cn-north-1',
      AUTH_ISSUER: 'iss',
      AUTH_AUDIENCE: 'aud',
      AUTH_TOKEN_TTL_SECONDS: 3600,
      LOG_LEVEL: 'debug',
      CORS_ORIGINS: 'https://a.example',
    });
  });
});

describe('parseConfig: DEV_AUTH', () => {
  it.each([
    { value: 'true', parsed: true },
    { value: '1', parsed: true },
    { value: 'false', parsed: false },
    { value: '0', parsed: false },
  ])('$value → $parsed', ({ value, parsed }) => {
    expect(parseConfig({ ...base, DEV_AUTH: value }).DEV_AUTH).toBe(parsed);
  });

  it.each(['yes', 'no', 'on', '2', ' true', ''])('"%s" is rejected by name (dev login must never turn on by accident)', (value) => {
    expect(failure({ ...base, DEV_AUTH: value }).message).toMatch(/DEV_AUTH/);
  });
});

describe('parseConfig: DYNAMODB_ENDPOINT', () => {
  it.each(['http://localhost:8000', 'http://127.0.0.1:8000', 'https://dynamodb.ap-east-1.amazonaws.com'])('accepts %s', (value) => {
    expect(parseConfig({ ...base, DYNAMODB_ENDPOINT: value }).DYNAMODB_ENDPOINT).toBe(value);
  });

  it.each([
    { name: 'not a URL at all', value: 'not a url' },
    { name: 'empty', value: '' },
    { name: 'missing the colon', value: 'http//localhost:8000' },
    // the usual mistake: host and port without a scheme. `new URL` reads "localhost:" as the
    // scheme, so a bare URL check passes it; the SDK then has no host to talk to.
    { name: 'host:port without http(s)://', value: 'localhost:8000' },
    { name: 'a scheme the SDK cannot speak', value: 'ftp://dynamodb.local:8000' },
  ])('rejects $name ($value) by name', ({ value }) => {
    expect(failure({ ...base, DYNAMODB_ENDPOINT: value }).message).toMatch(/DYNAMODB_ENDPOINT/);
  });
});

describe('parseConfig: other checks', () => {
  it('AUTH_SECRET shorter than 16 characters is rejected by name', () => {
    expect(failure({ ...base, AUTH_SECRET: 'short-secret' }).message).toMatch(/AUTH_SECRET/);
  });

  it('AUTH_SECRET of 16 characters is accepted', () => {
    expect(parseConfig({ ...base, AUTH_SECRET: '0123456789abcdef' }).AUTH_SECRET).toBe('0123456789abcdef');
  });

  it.each(['0', '-1', '1.5', 'abc', 'week'])('AUTH_TOKEN_TTL_SECONDS "%s" is rejected by name', (value) => {
    expect(failure({ ...base, AUTH_TOKEN_TTL_SECONDS: value }).message).toMatch(/AUTH_TOKEN_TTL_SECONDS/);
  });

  it.each(['verbose', 'INFO', 'trace'])('LOG_LEVEL "%s" is rejected by name', (value) => {
    expect(failure({ ...base, LOG_LEVEL: value }).message).toMatch(/LOG_LEVEL/);
  });

  it.each(['debug', 'info', 'warn', 'error', 'silent'])('LOG_LEVEL "%s" is accepted', (value) => {
    expect(parseConfig({ ...base, LOG_LEVEL: value }).LOG_LEVEL).toBe(value);
  });
});

describe('parseConfig: exports', () => {
  it('defaults: no bucket (every CSV inline), 2 MiB inline, 10-minute links', () => {
    const config = parseConfig(base);
    expect(config.EXPORTS_BUCKET).toBeUndefined();
    expect(config.EXPORT_INLINE_MAX_BYTES).toBe(2 * 1024 * 1024);
    expect(config.EXPORT_URL_TTL_SECONDS).toBe(600);
  });

  it.each([
    ['EXPORT_INLINE_MAX_BYTES', String(6 * 1024 * 1024)],
    ['EXPORT_INLINE_MAX_BYTES', '-1'],
    ['EXPORT_URL_TTL_SECONDS', '86400'],
    ['S3_ENDPOINT', 'localhost:4568'],
  ])('%s=%s stops start-up by name (an inline limit near Lambda’s 6 MB would fail there)', (key, value) => {
    expect(failure({ ...base, [key]: value }).message).toContain(key);
  });
});
