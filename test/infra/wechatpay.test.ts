import { Capture, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { wechatPayFromEnv } from '../../functions/payments-bootstrap.js';
import { stageConfig, stageConfigFromContext } from '../../infra/config.js';
import { resourcesOfType, type Synthesized, synthStack } from './helpers.js';

const DOMAIN = { domainName: 'api.example.com', certificateArn: 'arn:aws:acm:ap-east-1:123456789012:certificate/abc' };
const EXPLICIT_URL = 'https://pay.example.com/tuangou/payments/wechat/notify';

let viaDomain: Synthesized; // prod, custom domain, URL derived from it
let explicit: Synthesized; // dev, no domain, -c wechatPayNotifyUrl
let off: Synthesized; // prod with a custom domain, payments off

beforeAll(() => {
  viaDomain = synthStack('prod', { wechatPay: true, domain: DOMAIN });
  explicit = synthStack('dev', { wechatPay: true, wechatPayNotifyUrl: EXPLICIT_URL });
  off = synthStack('prod', { domain: DOMAIN });
}, 120_000);

type Statement = { Action: string | string[]; Effect: string; Resource: unknown };
const actionsOf = (statement: Statement) => [statement.Action].flat();

function statementsOf(s: Synthesized, fn: 'apiFunction' | 'sweepFunction' | 'workerFunction'): Statement[] {
  const role = JSON.stringify(s.resolve(s.stack[fn].function.role!.roleName));
  return resourcesOfType(s.template, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties!.Roles as unknown[]).some((r) => JSON.stringify(r) === role))
    .flatMap(([, p]) => p.Properties!.PolicyDocument.Statement as Statement[]);
}

const secretArnOf = (s: Synthesized) => s.resolve(s.stack.wechatPaySecret!.secret.secretArn);

function environmentOf(s: Synthesized, description: RegExp | string): Record<string, unknown> {
  const env = new Capture();
  s.template.hasResourceProperties('AWS::Lambda::Function', {
    Description: Match.stringLikeRegexp(typeof description === 'string' ? description : description.source),
    Environment: { Variables: env },
  });
  return env.asObject();
}

describe('WeChat Pay in the stack (-c wechatPay=true)', () => {
  it('creates the merchant secret as a generated placeholder, never with keys in the template', () => {
    const template = new Capture();
    viaDomain.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: template, GenerateStringKey: 'nonce' }),
      SecretString: Match.absent(),
    });
    expect(JSON.parse(template.asString())).toEqual({ placeholder: true });
    const secrets = (s: Synthesized) => resourcesOfType(s.template, 'AWS::SecretsManager::Secret').length;
    expect(secrets(viaDomain)).toBe(secrets(off) + 1);
  });

  it('what Secrets Manager generates from it leaves payments off in the app (warning, no error)', async () => {
    const props = viaDomain.template.toJSON().Resources[(secretArnOf(viaDomain) as { Ref: string }).Ref].Properties;
    const generated = JSON.stringify({ ...JSON.parse(props.GenerateSecretString.SecretStringTemplate), nonce: 'Abc123Def456Ghi7' });
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn(), setContext: vi.fn() };
    const env = environmentOf(viaDomain, 'Group-buy API');
    const pay = await wechatPayFromEnv(
      {
        WECHATPAY_SECRET_ARN: 'arn:aws:secretsmanager:ap-east-1:123456789012:secret:x',
        WECHATPAY_NOTIFY_URL: env.WECHATPAY_NOTIFY_URL as string,
      },
      async () => generated,
      logger,
    );
    expect(pay).toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(expect.stringMatching(/placeholder/));
  });

  it('keeps the secret per the stage removal policy (prod retains, dev deletes)', () => {
    const id = (s: Synthesized) => (secretArnOf(s) as { Ref: string }).Ref;
    expect(viaDomain.template.toJSON().Resources[id(viaDomain)]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(explicit.template.toJSON().Resources[id(explicit)]).toMatchObject({ DeletionPolicy: 'Delete' });
  });

  it.each(['Group-buy API', 'Finds due deadline work', 'Deadline work:'])(
    'the %s function gets the secret ARN and the notify URL derived from the custom domain',
    (description) => {
      const env = environmentOf(viaDomain, description);
      expect(env.WECHATPAY_SECRET_ARN).toEqual(secretArnOf(viaDomain));
      expect(env.WECHATPAY_NOTIFY_URL).toBe('https://api.example.com/payments/wechat/notify');
      expect(env).not.toHaveProperty('WECHATPAY_API_BASE'); // the app defaults to https://api.mch.weixin.qq.com
      expect(
        Object.keys(env)
          .filter((k) => k.startsWith('WECHATPAY_'))
          .sort(),
      ).toEqual(['WECHATPAY_NOTIFY_URL', 'WECHATPAY_SECRET_ARN']);
    },
  );

  it.each(['Group-buy API', 'Finds due deadline work', 'Deadline work:'])(
    'the %s function gets -c wechatPayNotifyUrl as given (no custom domain needed)',
    (description) => {
      const env = environmentOf(explicit, description);
      expect(env.WECHATPAY_SECRET_ARN).toEqual(secretArnOf(explicit));
      expect(env.WECHATPAY_NOTIFY_URL).toBe(EXPLICIT_URL);
    },
  );

  it.each(['apiFunction', 'sweepFunction', 'workerFunction'] as const)('%s may only GetSecretValue on the merchant secret', (fn) => {
    for (const s of [viaDomain, explicit]) {
      const arn = JSON.stringify(secretArnOf(s));
      const statements = statementsOf(s, fn).filter((st) => JSON.stringify(st.Resource).includes(arn));
      expect(statements).toHaveLength(1);
      const [statement] = statements as [Statement];
      expect(statement.Effect).toBe('Allow');
      expect(actionsOf(statement)).toEqual(['secretsmanager:GetSecretValue']);
      // minimizePolicies may merge it with the signing secret's identical grant: only secret ARNs, no wildcard.
      const allowed = [secretArnOf(s), s.resolve(s.stack.authSecret.secret.secretArn)].map((r) => JSON.stringify(r));
      for (const resource of [statement.Resource].flat()) expect(allowed).toContain(JSON.stringify(resource));
      if (fn !== 'apiFunction') expect(statement.Resource).toEqual(secretArnOf(s));
    }
  });

  it('no other policy in the stack mentions the merchant secret', () => {
    const arn = JSON.stringify(secretArnOf(viaDomain));
    const roles = (['apiFunction', 'sweepFunction', 'workerFunction'] as const).map((fn) =>
      JSON.stringify(viaDomain.resolve(viaDomain.stack[fn].function.role!.roleName)),
    );
    for (const [, policy] of resourcesOfType(viaDomain.template, 'AWS::IAM::Policy')) {
      if (!JSON.stringify(policy.Properties!.PolicyDocument).includes(arn)) continue;
      for (const role of policy.Properties!.Roles as unknown[]) expect(roles).toContain(JSON.stringify(role));
    }
  });

  it('outputs the secret ARN and the notify URL', () => {
    viaDomain.template.hasOutput('WechatPaySecretArn', { Value: secretArnOf(viaDomain) });
    viaDomain.template.hasOutput('WechatPayNotifyUrl', { Value: 'https://api.example.com/payments/wechat/notify' });
    explicit.template.hasOutput('WechatPayNotifyUrl', { Value: EXPLICIT_URL });
  });

  it('changes nothing when off', () => {
    expect(off.stack.wechatPaySecret).toBeUndefined();
    expect(JSON.stringify(off.template.toJSON())).not.toMatch(/WECHATPAY_|placeholder|WechatPay/);
    expect(off.template.findOutputs('WechatPaySecretArn')).toEqual({});
    expect(off.template.findOutputs('WechatPayNotifyUrl')).toEqual({});
    for (const fn of ['apiFunction', 'sweepFunction'] as const) {
      const secretStatements = statementsOf(off, fn).filter((st) => actionsOf(st).some((a) => a.startsWith('secretsmanager:')));
      expect(secretStatements.map((st) => st.Resource)).toEqual(
        fn === 'apiFunction' ? [off.resolve(off.stack.authSecret.secret.secretArn)] : [],
      );
    }
  });

  it('fails synth without a notify URL, naming the context key and why execute-api cannot be used', () => {
    expect(() => synthStack('prod', { wechatPay: true })).toThrow(/-c wechatPayNotifyUrl=https:\/\/.*\/payments\/wechat\/notify/);
    expect(() => synthStack('prod', { wechatPay: true })).toThrow(/circular reference/);
  });
});

describe('WeChat Pay context (-c wechatPay, -c wechatPayNotifyUrl)', () => {
  const context = (values: Record<string, unknown>) => stageConfigFromContext({ tryGetContext: (key: string) => values[key] });

  it('off unless asked for', () => {
    expect(context({}).wechatPay).toBeUndefined();
    expect(context({ wechatPay: 'false' }).wechatPay).toBeUndefined();
    expect(context({ wechatPay: false, domainName: DOMAIN.domainName, certificateArn: DOMAIN.certificateArn }).wechatPay).toBeUndefined();
  });

  it('reads -c wechatPay=true (string from the CLI, boolean from cdk.json) with the custom domain or an explicit URL', () => {
    expect(context({ wechatPay: 'true', domainName: DOMAIN.domainName, certificateArn: DOMAIN.certificateArn }).wechatPay).toEqual({
      notifyUrl: 'https://api.example.com/payments/wechat/notify',
    });
    expect(context({ wechatPay: true, wechatPayNotifyUrl: EXPLICIT_URL }).wechatPay).toEqual({ notifyUrl: EXPLICIT_URL });
  });

  it('an explicit URL wins over the custom domain (e.g. a proxy in front of the API)', () => {
    expect(stageConfig('prod', { wechatPay: true, domain: DOMAIN, wechatPayNotifyUrl: EXPLICIT_URL }).wechatPay).toEqual({
      notifyUrl: EXPLICIT_URL,
    });
  });

  it('rejects a missing URL, a bad flag, a URL without the flag, and URLs WeChat Pay cannot call', () => {
    expect(() => context({ wechatPay: 'true' })).toThrow(/wechatPayNotifyUrl/);
    expect(() => context({ wechatPay: 'yes' })).toThrow(/"wechatPay" must be true or false/);
    expect(() => context({ wechatPayNotifyUrl: EXPLICIT_URL })).toThrow(/only used with -c wechatPay=true/);
    for (const url of [
      'http://api.example.com/payments/wechat/notify',
      'https://api.example.com/payments/wechat/notify?stage=prod',
      'https://api.example.com/',
      '/payments/wechat/notify',
    ]) {
      expect(() => context({ wechatPay: 'true', wechatPayNotifyUrl: url }), url).toThrow(/wechatPayNotifyUrl/);
    }
  });
});
