import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeWechatPay, startFakeWechatPay } from '../../shared/money/fake/server.js';
import { createWechatPayClient } from '../../shared/money/wechatpay/client.js';
import type { WechatPayConfig } from '../../shared/money/wechatpay/config.js';
import { WechatPayBadResponseError, WechatPaySignatureError } from '../../shared/money/wechatpay/errors.js';
import { parseNotification } from '../../shared/money/wechatpay/notify.js';
import { verifyWechatpaySignature, wechatpayHeaders } from '../../shared/money/wechatpay/verify.js';

/**
 * While a merchant moves from platform certificates to the WeChat Pay public key, WeChat Pay signs
 * answers and notifications with either, naming the key in Wechatpay-Serial (a certificate's hex
 * serial, or the public key id PUB_KEY_ID_…). We verify against the set of keys we were given, by
 * serial, as WeChat's own SDKs do; a serial outside the set is refused like a bad signature.
 */
let now = Date.now();
const clock = () => new Date(now);
let fake: FakeWechatPay;
let both: WechatPayConfig;
let publicKeyOnly: WechatPayConfig;
let certificateOnly: WechatPayConfig;
let seq = 0;

beforeAll(async () => {
  fake = await startFakeWechatPay({ clock });
  both = fake.config('https://api.example.com/payments/wechat/notify');
  const { platformKeys: _omit, ...single } = both;
  publicKeyOnly = single;
  certificateOnly = { ...single, platformSerial: fake.platformCertSerial, platformPublicKeyPem: fake.platformCertPublicKeyPem };
});
afterAll(async () => fake?.close());
beforeEach(() => {
  now = Date.now();
  fake.signWith('public-key');
});

async function paidNotification() {
  const no = `K${Date.now().toString(36)}${(seq++).toString().padStart(4, '0')}`;
  await createWechatPayClient(both).createJsapiOrder({
    outTradeNo: no,
    description: '阳光玫瑰',
    amountFen: 100,
    payerOpenid: 'o_member',
    timeExpire: new Date(now + 3600_000),
  });
  await fake.pay(no, { notify: false });
  return { no, resource: fake.transactionResource(no) };
}

describe('the fake signs with either key', () => {
  it('public key (PUB_KEY_ID_…) by default, the certificate (hex serial) when asked', async () => {
    const { resource } = await paidNotification();
    expect(fake.buildNotification('TRANSACTION.SUCCESS', resource).headers['wechatpay-serial']).toBe(fake.platformSerial);
    expect(fake.platformSerial).toMatch(/^PUB_KEY_ID_/);
    expect(fake.buildNotification('TRANSACTION.SUCCESS', resource, { as: 'certificate' }).headers['wechatpay-serial']).toBe(
      fake.platformCertSerial,
    );
    expect(fake.platformCertSerial).toMatch(/^[0-9A-F]{40}$/);
    fake.signWith('certificate');
    expect(fake.signNotification('{}')['wechatpay-serial']).toBe(fake.platformCertSerial);
  });
});

describe('notifications: verified against every configured key, by serial', () => {
  it.each(['public-key', 'certificate'] as const)('signed with the %s: parses with both keys configured', async (as) => {
    const { no, resource } = await paidNotification();
    const n = fake.buildNotification('TRANSACTION.SUCCESS', resource, { as });
    expect(parseNotification(both, n.headers, n.body, clock())).toMatchObject({
      eventType: 'TRANSACTION.SUCCESS',
      transaction: { outTradeNo: no },
    });
  });

  it('each single-key config accepts only its own key', async () => {
    const { resource } = await paidNotification();
    const byKey = fake.buildNotification('TRANSACTION.SUCCESS', resource, { as: 'public-key' });
    const byCert = fake.buildNotification('TRANSACTION.SUCCESS', resource, { as: 'certificate' });
    expect(() => parseNotification(publicKeyOnly, byKey.headers, byKey.body, clock())).not.toThrow();
    expect(() => parseNotification(publicKeyOnly, byCert.headers, byCert.body, clock())).toThrow(/unknown Wechatpay-Serial/);
    expect(() => parseNotification(certificateOnly, byCert.headers, byCert.body, clock())).not.toThrow();
    expect(() => parseNotification(certificateOnly, byKey.headers, byKey.body, clock())).toThrow(WechatPaySignatureError);
  });

  it('an unknown serial is refused, even with a valid signature by a configured key', async () => {
    const { resource } = await paidNotification();
    const n = fake.buildNotification('TRANSACTION.SUCCESS', resource, { serial: 'PUB_KEY_ID_0199999999999999999999999999' });
    expect(() => parseNotification(both, n.headers, n.body, clock())).toThrow(/unknown Wechatpay-Serial/);
  });

  it('signed by one configured key but naming the other is refused: the serial picks the key', async () => {
    const { resource } = await paidNotification();
    const n = fake.buildNotification('TRANSACTION.SUCCESS', resource, { as: 'certificate', serial: fake.platformSerial });
    expect(() => parseNotification(both, n.headers, n.body, clock())).toThrow(/does not verify/);
  });

  it('a stranger key with a known serial is refused', async () => {
    const { resource } = await paidNotification();
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const n = fake.buildNotification('TRANSACTION.SUCCESS', resource, { key: stranger, serial: fake.platformCertSerial });
    expect(() => parseNotification(both, n.headers, n.body, clock())).toThrow(WechatPaySignatureError);
  });

  it('a certificate serial is matched in any letter case (hex)', () => {
    const headers = fake.signNotification('{"x":1}', { as: 'certificate' });
    const lower = { ...headers, 'wechatpay-serial': fake.platformCertSerial.toLowerCase() };
    expect(() => verifyWechatpaySignature(both, wechatpayHeaders(lower), '{"x":1}', clock())).not.toThrow();
  });
});

describe('API answers: the client trusts the same set', () => {
  it.each(['public-key', 'certificate'] as const)('answers signed with the %s verify', async (key) => {
    fake.signWith(key);
    const { no } = await paidNotification();
    await expect(createWechatPayClient(both).queryOrder(no)).resolves.toMatchObject({ tradeState: 'SUCCESS' });
  });

  it('an answer signed with a key we were not given is refused', async () => {
    const { no } = await paidNotification();
    fake.signWith('certificate');
    await expect(createWechatPayClient(publicKeyOnly).queryOrder(no)).rejects.toBeInstanceOf(WechatPayBadResponseError);
  });
});
