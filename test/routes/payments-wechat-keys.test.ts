import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wechatPayFromEnv } from '../../functions/payments-bootstrap.js';
import { createLogger } from '../../shared/logger.js';
import { T0 } from '../helpers/harness.js';
import { type PayHarness, payHarness } from '../helpers/wechatpay-harness.js';

/**
 * A merchant moving from platform certificates to the WeChat Pay public key: WeChat Pay signs
 * notifications (and answers) with either key. The app, configured with both, records payments
 * whichever signed; a notification naming any other serial is refused 401, nothing recorded.
 */
let h: PayHarness;
let leader: { token: string; userId: string };
let k = 0;

beforeAll(async () => {
  h = await payHarness();
  leader = await h.login('wxk-leader', '团长');
});
afterAll(async () => h?.close());

async function heldEntry() {
  h.clock.set(T0);
  const c = await h.createCampaign(leader.token, {
    minParticipants: 1,
    paymentMode: 'wechatpay',
    items: [{ name: '阳光玫瑰', unitPrice: 3990, stock: 10 }],
  });
  const m = await h.login(`wxk-m-${k++}`, `成员${k}`);
  const res = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
  expect(res.status).toBe(201);
  return { c, m, entryId: res.body.id as string, outTradeNo: res.body.payment.outTradeNo as string };
}

const paymentOf = async (c: { id: string }, entryId: string, token: string) =>
  (await h.call('GET', `/campaigns/${c.id}/entries/${entryId}/payment`, { token })).body;

describe('notifications signed with either of two WeChat Pay keys', () => {
  it('the app is configured with both (the public key, and a platform certificate by serial)', () => {
    expect(h.deps.money.wechatPay?.config.platformSerial).toBe(h.fake.platformSerial);
    expect(h.deps.money.wechatPay?.config.platformKeys).toEqual([
      { serial: h.fake.platformCertSerial, publicKeyPem: h.fake.platformCertPublicKeyPem },
    ]);
  });

  it.each(['public-key', 'certificate'] as const)('signed with the %s: 204, the payment is recorded', async (key) => {
    const { c, m, entryId, outTradeNo } = await heldEntry();
    h.fake.signWith(key);
    try {
      await h.fake.pay(outTradeNo);
    } finally {
      h.fake.signWith('public-key');
    }
    const sent = h.fake.notifications.at(-1)!;
    expect(sent.attempts.map((a) => a.status)).toEqual([204]);
    expect(await paymentOf(c, entryId, m.token)).toMatchObject({ paid: 3990, state: 'paid' });
  });

  it('an unknown Wechatpay-Serial is 401 and nothing is recorded, even signed by a configured key', async () => {
    const { c, m, entryId, outTradeNo } = await heldEntry();
    await h.fake.pay(outTradeNo, { notify: false });
    const resource = h.fake.transactionResource(outTradeNo);
    const post = (n: { body: string; headers: Record<string, string> }) =>
      h.app.request('/payments/wechat/notify', { method: 'POST', headers: n.headers, body: n.body });
    const unknown = h.fake.buildNotification('TRANSACTION.SUCCESS', resource, { serial: 'PUB_KEY_ID_0199999999999999999999999999' });
    const res = await post(unknown);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'FAIL' });
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const forged = h.fake.buildNotification('TRANSACTION.SUCCESS', resource, { key: stranger, serial: h.fake.platformCertSerial });
    expect((await post(forged)).status).toBe(401);
    expect(await paymentOf(c, entryId, m.token)).toMatchObject({ paid: 0 });
    // the genuine one, by the certificate, still counts
    expect((await post(h.fake.buildNotification('TRANSACTION.SUCCESS', resource, { as: 'certificate' }))).status).toBe(204);
    expect(await paymentOf(c, entryId, m.token)).toMatchObject({ paid: 3990 });
  });
});

describe('start-up: the key set from the environment', () => {
  it('WECHATPAY_PLATFORM_KEYS beside the single-key variables', async () => {
    const cfg = h.fake.config('https://api.example.com/payments/wechat/notify');
    const env = {
      WECHATPAY_MCH_ID: cfg.mchId,
      WECHATPAY_APP_ID: cfg.appId,
      WECHATPAY_MCH_SERIAL_NO: cfg.mchSerialNo,
      WECHATPAY_MCH_PRIVATE_KEY: cfg.mchPrivateKeyPem,
      WECHATPAY_API_V3_KEY: cfg.apiV3Key,
      WECHATPAY_PLATFORM_PUBLIC_KEY: cfg.platformPublicKeyPem,
      WECHATPAY_PLATFORM_SERIAL: cfg.platformSerial,
      WECHATPAY_NOTIFY_URL: cfg.notifyUrl,
    };
    const logger = createLogger('silent');
    const single = await wechatPayFromEnv(env, async () => '', logger);
    expect(single?.config.platformKeys).toBeUndefined();
    const keys = JSON.stringify([{ serial: h.fake.platformCertSerial, publicKeyPem: h.fake.platformCertPublicKeyPem }]);
    const both = await wechatPayFromEnv({ ...env, WECHATPAY_PLATFORM_KEYS: keys }, async () => '', logger);
    expect(both?.config.platformKeys?.map((key) => key.serial)).toEqual([h.fake.platformCertSerial]);
  });
});
