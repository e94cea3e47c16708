import { RemovalPolicy } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { stageConfig, stageConfigFromContext } from '../../infra/config.js';

const context = (values: Record<string, unknown>) => ({ tryGetContext: (key: string) => values[key] });

describe('stage configuration (-c stage=dev|prod)', () => {
  it('defaults to dev', () => {
    expect(stageConfigFromContext(context({})).stage).toBe('dev');
  });

  it('prod keeps data; dev can be torn down', () => {
    const prod = stageConfig('prod');
    const dev = stageConfig('dev');
    expect(prod).toMatchObject({ isProduction: true, removalPolicy: RemovalPolicy.RETAIN, deletionProtection: true });
    expect(dev).toMatchObject({ isProduction: false, removalPolicy: RemovalPolicy.DESTROY, deletionProtection: false });
    expect(prod.logRetention).toBeGreaterThan(dev.logRetention);
  });

  it('rejects an unknown stage', () => {
    expect(() => stageConfigFromContext(context({ stage: 'staging' }))).toThrow(/unknown stage "staging"/);
  });

  it('reads CORS origins, alarm e-mail, log level and a custom domain', () => {
    const config = stageConfigFromContext(
      context({
        stage: 'prod',
        corsOrigins: ' https://a.example , https://b.example,',
        alarmEmail: 'ops@example.com',
        logLevel: 'warn',
        domainName: 'api.example.com',
        certificateArn: 'arn:aws:acm:ap-east-1:123456789012:certificate/x',
      }),
    );
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.alarmEmail).toBe('ops@example.com');
    expect(config.logLevel).toBe('warn');
    expect(config.domain).toEqual({
      domainName: 'api.example.com',
      certificateArn: 'arn:aws:acm:ap-east-1:123456789012:certificate/x',
    });
  });

  it('a custom domain needs both the name and the certificate', () => {
    expect(() => stageConfigFromContext(context({ domainName: 'api.example.com' }))).toThrow(/certificateArn/);
  });

  it('rejects an unknown log level', () => {
    expect(() => stageConfigFromContext(context({ logLevel: 'loud' }))).toThrow(/logLevel/);
  });
});
