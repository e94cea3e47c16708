import { App, Stack, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Synthesized, synthStack } from './helpers.js';

let prod: Synthesized;
let dev: Synthesized;
/** With every optional feature: WeChat login and WeChat Pay (notify URL from the custom domain). */
let prodPay: Synthesized;
/** WeChat Pay with an explicit notify URL, no custom domain. */
let devPay: Synthesized;

beforeAll(() => {
  const prodOverrides = {
    alarmEmail: 'ops@example.com',
    corsOrigins: ['https://shop.example.com'],
    domain: { domainName: 'api.example.com', certificateArn: 'arn:aws:acm:ap-east-1:123456789012:certificate/abc' },
  };
  prod = synthStack('prod', prodOverrides);
  dev = synthStack('dev');
  prodPay = synthStack('prod', { ...prodOverrides, wechatAppId: 'wx1234567890abcdef', wechatPay: true });
  devPay = synthStack('dev', { wechatPay: true, wechatPayNotifyUrl: 'https://pay.example.com/payments/wechat/notify' });
}, 120_000);

const variants = () => ({ prod, dev, 'prod + WeChat login + WeChat Pay': prodPay, 'dev + WeChat Pay': devPay });

/** Both packs the app runs at synth (infra/app.ts): AwsSolutions and the serverless rules. */
function nagViolations(scope: IConstruct) {
  return [new AwsSolutionsChecks(), new ServerlessChecks()]
    .flatMap((pack) => pack.validateScope(scope).violations)
    .map((v) => ({
      rule: v.ruleName,
      severity: v.severity,
      description: v.description,
      resources: v.violatingResources.map((r) => r.constructPath),
    }));
}

/** Every `Validations.of(x).acknowledge({ id, reason })` in the tree: [construct path, rule id, reason]. */
function acknowledgements(scope: IConstruct): [string, string, unknown][] {
  return scope.node
    .findAll()
    .flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) =>
          Object.entries(entry.data as Record<string, unknown>).map(
            ([id, reason]) => [construct.node.path, id, reason] as [string, string, unknown],
          ),
        ),
    );
}

describe('cdk-nag AwsSolutions and Serverless', () => {
  it('the packs are live: they flag an unacknowledged secret without rotation and a queue without redrive', () => {
    const stack = new Stack(new App(), 'Canary');
    new secretsmanager.Secret(stack, 'Secret');
    new sqs.Queue(stack, 'Queue', { enforceSSL: true });
    const rules = nagViolations(stack).map((v) => v.rule);
    expect(rules).toContain('AwsSolutions-SMG4');
    expect(rules).toContain('Serverless-SQSRedrivePolicy');
  });

  it.each(['prod', 'dev', 'prod + WeChat login + WeChat Pay', 'dev + WeChat Pay'] as const)(
    '%s stack: no unacknowledged errors or warnings',
    (variant) => {
      const { stack } = variants()[variant];
      const violations = nagViolations(stack);
      expect(violations.filter((v) => v.severity === 'error')).toEqual([]);
      expect(violations.filter((v) => v.severity === 'warning')).toEqual([]);
    },
  );

  it('every acknowledgement names an AwsSolutions or Serverless rule and gives a real reason', () => {
    const acks = acknowledgements(prodPay.stack);
    expect(acks.some(([path, id]) => path.endsWith('/WechatPay/Secret') && /AwsSolutions-SMG4$/.test(id))).toBe(true);
    expect(acks.length).toBeGreaterThan(0);
    for (const [path, id, reason] of acks) {
      expect(id, path).toMatch(/^(Annotation::)?(AwsSolutions-[A-Z]+\d+|Serverless-[A-Za-z]+)(\[.+\])?$/i);
      expect(typeof reason, `${path} ${id}`).toBe('string');
      expect((reason as string).length, `${path} ${id}: reason too short`).toBeGreaterThanOrEqual(60);
    }
  });

  it('acknowledgements are scoped to constructs, never to the whole stack or app', () => {
    for (const [path] of acknowledgements(prodPay.app)) {
      expect(path.split('/').length, path).toBeGreaterThanOrEqual(3);
    }
  });
});
