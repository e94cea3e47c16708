import type { MessageTemplates } from '../../shared/domain/index.js';
import { type FakeWechat, startFakeWechat } from '../../shared/wechat/fake/index.js';

/**
 * `npm run start:wechat`: the fake WeChat (tests' own, speaking WeChat's HTTP and codes) in process,
 * and the WECHAT_* variables that point the app at it: login (`POST /auth/wechat {"code":
 * "dev-<openid>"}`), content security on, 小程序码, and subscribe messages with one template per event.
 */
const TEMPLATES: MessageTemplates = {
  'group-succeeded': {
    templateId: 'local-group-succeeded',
    page: 'pages/campaign/index?id={campaignId}',
    data: { thing1: 'title', amount2: 'amount', number3: 'units', thing4: 'status' },
  },
  'group-failed': { templateId: 'local-group-failed', data: { thing1: 'title', thing2: 'status' } },
  'refund-arrived': { templateId: 'local-refund-arrived', data: { thing1: 'title', amount2: 'amount' } },
  'goods-arrived': { templateId: 'local-goods-arrived', data: { thing1: 'title', thing2: 'pickupPoint', time3: 'time' } },
  'hold-expiring': { templateId: 'local-hold-expiring', data: { thing1: 'title', amount2: 'amount', time3: 'deadline' } },
  'new-entries': { templateId: 'local-new-entries', data: { thing1: 'title', number2: 'count' } },
};

/** The 消息推送 Token the fake signs its pushes with, as set in 小程序后台 (local only). */
const PUSH_TOKEN = 'localPushToken';

/** `pushUrl`: where the API answers 消息推送 (its /wechat/push): image check verdicts go there, 0.5 s after each check. */
export async function startLocalWechat(port: number, pushUrl: string): Promise<{ fake: FakeWechat; env: Record<string, string> }> {
  const fake = await startFakeWechat({ port, dev: true });
  for (const t of Object.values(TEMPLATES)) fake.defineTemplate(t.templateId, Object.keys(t.data));
  fake.mediaChecks.target = { url: pushUrl, token: PUSH_TOKEN };
  return {
    fake,
    env: {
      WECHAT_APPID: fake.appId,
      WECHAT_SECRET: fake.secret,
      WECHAT_API_BASE: fake.url,
      CONTENT_CHECK: 'on',
      WECHAT_SUBSCRIBE_TEMPLATES: JSON.stringify(TEMPLATES),
      // The fake accepts every page: a local mini-program build may not be "released".
      WECHAT_CODE_ENV: 'develop',
      WECHAT_PUSH_TOKEN: PUSH_TOKEN,
    },
  };
}
