import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { stageConfigFromContext } from '../../infra/config.js';
import { type Synthesized, synthStack } from './helpers.js';

describe('WeChat login in the stack', () => {
  let withWechat: Synthesized;
  let without: Synthesized;
  beforeAll(() => {
    withWechat = synthStack('prod', { wechatAppId: 'wx1234567890abcdef' });
    without = synthStack('prod');
  });

  it('passes the AppID and the AppSecret secret ARN (never the secret) to the API function', () => {
    withWechat.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          WECHAT_APPID: 'wx1234567890abcdef',
          WECHAT_SECRET_ARN: Match.anyValue(),
        }),
      },
    });
    const envs = Object.values(withWechat.template.findResources('AWS::Lambda::Function')).map((r) =>
      JSON.stringify(r.Properties?.Environment ?? {}),
    );
    expect(envs.some((e) => e.includes('WECHAT_SECRET"'))).toBe(false);
  });

  it('lets only the API function read the AppSecret', () => {
    const policies = withWechat.template.findResources('AWS::IAM::Policy');
    const readers = Object.entries(policies).filter(([, p]) => JSON.stringify(p).includes('WechatSecret'));
    expect(readers).toHaveLength(1);
    expect(readers[0]![0]).toMatch(/ApiFunction/);
    withWechat.template.hasOutput('WechatSecretArn', {});
  });

  it('creates nothing WeChat-related without the context value', () => {
    const secrets = Object.keys(without.template.findResources('AWS::SecretsManager::Secret'));
    expect(secrets.some((id) => id.includes('Wechat'))).toBe(false);
    expect(JSON.stringify(without.template.toJSON())).not.toContain('WECHAT_APPID');
    expect(() => Template.fromStack(without.stack).hasOutput('WechatSecretArn', {})).toThrow();
  });

  it('reads -c wechatAppId', () => {
    const config = stageConfigFromContext({
      tryGetContext: (k: string) => (({ stage: 'dev', wechatAppId: 'wxabc' }) as Record<string, string>)[k],
    });
    expect(config.wechatAppId).toBe('wxabc');
  });

  it('subscribe-message templates go to the API, the worker (which may then read the AppSecret) and the sweep (which may not); bad templates fail synth', () => {
    const templates = JSON.stringify({ 'group-succeeded': { templateId: 'tmpl-1', data: { thing1: 'title', amount2: 'amount' } } });
    const withMessages = synthStack('prod', { wechatAppId: 'wx1234567890abcdef', wechatSubscribeTemplates: templates });
    const functions = withMessages.template.findResources('AWS::Lambda::Function');
    const carrying = Object.keys(functions).filter((id) =>
      JSON.stringify(functions[id]!.Properties?.Environment ?? {}).includes('WECHAT_SUBSCRIBE_TEMPLATES'),
    );
    expect(carrying).toHaveLength(3);
    expect(carrying.some((id) => /ApiFunction/.test(id))).toBe(true);
    expect(carrying.some((id) => /WorkerFunction/.test(id))).toBe(true);
    // the sweep writes hold reminders and leader digests for the configured events: templates, no secret
    expect(carrying.some((id) => /SweepFunction/.test(id))).toBe(true);
    const policies = withMessages.template.findResources('AWS::IAM::Policy');
    const readers = Object.keys(policies).filter((id) => JSON.stringify(policies[id]).includes('WechatSecret'));
    expect(readers.some((id) => /WorkerFunction/.test(id))).toBe(true);
    expect(readers.some((id) => /SweepFunction/.test(id))).toBe(false);
    expect(() =>
      synthStack('prod', {
        wechatAppId: 'wx1',
        wechatSubscribeTemplates: '{"group-succeeded":{"templateId":"x","data":{"bogus1":"title"}}}',
      }),
    ).toThrow(/wechatSubscribeTemplates/);
    expect(() => synthStack('prod', { wechatSubscribeTemplates: templates })).toThrow(/wechatAppId/);
  });

  it('-c wechatCodePage / wechatCodeEnv reach the API as WECHAT_CODE_PAGE / WECHAT_CODE_ENV; bad values fail synth', () => {
    const config = stageConfigFromContext({
      tryGetContext: (k: string) =>
        (({ stage: 'dev', wechatAppId: 'wxabc', wechatCodePage: 'pages/buy/index', wechatCodeEnv: 'trial' }) as Record<string, string>)[k],
    });
    expect(config.wechatCode).toEqual({ page: 'pages/buy/index', env: 'trial' });
    const withCodes = synthStack('prod', { wechatAppId: 'wx1234567890abcdef', wechatCodePage: 'pages/buy/index', wechatCodeEnv: 'trial' });
    withCodes.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('Group-buy API'),
      Environment: { Variables: Match.objectLike({ WECHAT_CODE_PAGE: 'pages/buy/index', WECHAT_CODE_ENV: 'trial' }) },
    });
    expect(() => synthStack('prod', { wechatAppId: 'wx1', wechatCodePage: '/pages/buy/index?x=1' })).toThrow(/wechatCodePage/);
    expect(() => synthStack('prod', { wechatAppId: 'wx1', wechatCodeEnv: 'beta' })).toThrow(/wechatCodeEnv/);
    expect(() => synthStack('prod', { wechatCodePage: 'pages/buy/index' })).toThrow(/wechatAppId/);
  });

  it('-c wechatHoldReminderMinutes / wechatDigestIntervalMinutes reach the sweep only, checked at synth', () => {
    const templates = JSON.stringify({ 'new-entries': { templateId: 'tmpl-2', data: { number1: 'count' } } });
    const app = { wechatAppId: 'wx1234567890abcdef', wechatSubscribeTemplates: templates };
    const s = synthStack('prod', { ...app, wechatHoldReminderMinutes: 0, wechatDigestIntervalMinutes: 30 });
    const functions = s.template.findResources('AWS::Lambda::Function');
    const carrying = Object.keys(functions).filter((id) =>
      JSON.stringify(functions[id]!.Properties?.Environment ?? {}).includes('WECHAT_DIGEST_INTERVAL_MINUTES'),
    );
    expect(carrying).toHaveLength(1);
    expect(carrying[0]).toMatch(/SweepFunction/);
    expect(functions[carrying[0]!]!.Properties.Environment.Variables).toMatchObject({
      WECHAT_HOLD_REMINDER_MINUTES: '0',
      WECHAT_DIGEST_INTERVAL_MINUTES: '30',
    });
    expect(() => synthStack('prod', { ...app, wechatHoldReminderMinutes: 61 })).toThrow(/wechatHoldReminderMinutes/);
    expect(() => synthStack('prod', { ...app, wechatDigestIntervalMinutes: 1.5 })).toThrow(/wechatDigestIntervalMinutes/);
    expect(() => synthStack('prod', { wechatDigestIntervalMinutes: 30 })).toThrow(/wechatSubscribeTemplates/);
  });
});
