import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.js';
import { type FakeWechatPay, startFakeWechatPay } from '../../shared/money/fake/server.js';
import { createWechatPayClient, type WechatPayClient } from '../../shared/money/wechatpay/client.js';
import type { WechatPayConfig } from '../../shared/money/wechatpay/config.js';
import { encryptResource } from '../../shared/money/wechatpay/decrypt.js';
import { WechatPayDecryptError, WechatPayNotificationError, WechatPaySignatureError } from '../../shared/money/wechatpay/errors.js';
import {
  NOTIFY_ACK,
  NOTIFY_RETRY_SCHEDULE_SECONDS,
  parseNotification,
  type WechatPayNotification,
} from '../../shared/money/wechatpay/notify.js';
import { type NotifyReceiver, startNotifyReceiver } from '../helpers/notify-receiver.js';

let now = Date.now();
const clock = () => new Date(now);
let fake: FakeWechatPay;
let receiver: NotifyReceiver;
let cfg: WechatPayConfig;
let client: WechatPayClient;
let parsed: WechatPayNotification[];
let seq = 0;

/** Our notify endpoint as the integration will write it: parse, then answer per NOTIFY_ACK. */
function ourEndpoint(headers: Record<string, string | undefined>, body: string) {
  try {
    parsed.push(parseNotification(cfg, headers, body, clock()));
    return { status: NOTIFY_ACK.success.status };
  } catch (err) {
    const status = err instanceof WechatPaySignatureError ? 401 : err instanceof AppError ? 400 : 500;
    return NOTIFY_ACK.failure(err instanceof Error ? err.message : 'error', status);
  }
}

async function newOrder(amountFen = 7980): Promise<string> {
  const outTradeNo = `N${Date.now().toString(36)}${(seq++).toString().padStart(4, '0')}`;
  await client.createJsapiOrder({
    outTradeNo,
    description: '阳光玫瑰 2斤装',
    amountFen,
    payerOpenid: 'o_member_9',
    timeExpire: new Date(now + 3600_000),
    attach: 'campaign=c9',
  });
  return outTradeNo;
}

const parseWith =
  (headers: Record<string, string>, body: string, at = clock()) =>
  () =>
    parseNotification(cfg, headers, body, at);

beforeAll(async () => {
  receiver = await startNotifyReceiver();
  fake = await startFakeWechatPay({ clock });
  cfg = fake.config(receiver.url);
  client = createWechatPayClient(cfg);
});

afterAll(async () => {
  await fake?.close();
  await receiver?.close();
});

beforeEach(() => {
  parsed = [];
  receiver.handle = ourEndpoint;
});

describe('TRANSACTION.SUCCESS, end to end over HTTP', () => {
  it('pay → a signed, encrypted notification that parseNotification reads; 204 acknowledges it', async () => {
    const no = await newOrder();
    const order = await fake.pay(no);
    expect(parsed).toEqual([
      {
        eventType: 'TRANSACTION.SUCCESS',
        id: expect.any(String),
        transaction: {
          outTradeNo: no,
          transactionId: order.transactionId,
          tradeState: 'SUCCESS',
          amountFen: 7980,
          payerTotalFen: 7980,
          successTime: expect.stringMatching(/\+08:00$/),
          payerOpenid: 'o_member_9',
          attach: 'campaign=c9',
        },
      },
    ]);
    const n = fake.notifications.at(-1)!;
    expect(n).toMatchObject({ eventType: 'TRANSACTION.SUCCESS', delivered: true, nextAttemptAt: null });
    expect(n.attempts).toEqual([expect.objectContaining({ attempt: 1, status: 204, answer: '', ok: true })]);
    // the envelope is the documented one, and only the resource is encrypted
    const envelope = JSON.parse(receiver.received.at(-1)!.body);
    expect(envelope).toMatchObject({
      id: n.id,
      event_type: 'TRANSACTION.SUCCESS',
      resource_type: 'encrypt-resource',
      summary: '支付成功',
      resource: { original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', associated_data: 'transaction' },
    });
    expect(receiver.received.at(-1)!.body).not.toContain(no);
    expect(receiver.received.at(-1)!.headers['wechatpay-serial']).toBe(fake.platformSerial);
  });

  it('works with fetch Headers too (a Hono handler passes c.req.raw.headers)', async () => {
    const no = await newOrder();
    await fake.pay(no);
    const { headers, body } = receiver.received.at(-1)!;
    const h = new Headers(Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined));
    expect(parseNotification(cfg, h, body, clock())).toMatchObject({ transaction: { outTradeNo: no } });
  });

  it('a failed answer is retried on the documented schedule, with the same id and body, until acknowledged', async () => {
    const no = await newOrder();
    receiver.handle = () => NOTIFY_ACK.failure('database busy', 500);
    await fake.pay(no);
    const n = fake.notifications.at(-1)!;
    expect(n.attempts).toEqual([
      expect.objectContaining({ attempt: 1, status: 500, ok: false, answer: '{"code":"FAIL","message":"database busy"}' }),
    ]);
    expect(n.nextAttemptAt!.getTime() - n.attempts[0]!.at.getTime()).toBe(15_000);

    // not due yet by the clock
    expect(await fake.deliverPending({ dueOnly: true })).toEqual([]);
    now += 15_000;
    receiver.handle = ourEndpoint;
    const retried = await fake.deliverPending({ dueOnly: true });
    expect(retried).toEqual([expect.objectContaining({ notificationId: n.id, attempt: 2, status: 204, ok: true })]);
    expect(n.delivered).toBe(true);
    expect(parsed).toHaveLength(1);
    expect(parsed[0]!.id).toBe(n.id);
    const bodies = receiver.received.slice(-2).map((r) => r.body);
    expect(bodies[0]).toBe(bodies[1]);
    expect(await fake.deliverPending()).toEqual([]);
  });

  it('WeChat gives up after 15 retries (24h4m); compressed time needs no clock', async () => {
    expect(NOTIFY_RETRY_SCHEDULE_SECONDS.reduce((a, b) => a + b, 0)).toBe(24 * 3600 + 4 * 60);
    const no = await newOrder();
    receiver.handle = () => ({ status: 503 });
    await fake.pay(no);
    for (let i = 0; i < 15; i++) await fake.deliverPending();
    const n = fake.notifications.at(-1)!;
    expect(n.attempts).toHaveLength(16);
    expect(n).toMatchObject({ gaveUp: true, delivered: false, nextAttemptAt: null });
    expect(await fake.deliverPending()).toEqual([]);
  });

  it('a lost notification: nothing arrives, and querying the order finds it paid', async () => {
    const no = await newOrder();
    const before = receiver.received.length;
    await fake.pay(no, { notify: false });
    expect(receiver.received.length).toBe(before);
    expect(fake.notifications.some((n) => n.body.includes(no))).toBe(false);
    expect(await client.queryOrder(no)).toMatchObject({ tradeState: 'SUCCESS', transactionId: fake.orders.get(no)!.transactionId });
  });

  it('an unreachable notify URL counts as a failed attempt (status 0)', async () => {
    const gone = await startNotifyReceiver();
    await gone.close();
    const lost = await startFakeWechatPay({ notifyUrl: gone.url });
    try {
      const c = createWechatPayClient(lost.config());
      await c.createJsapiOrder({
        outTradeNo: 'N_unreachable',
        description: 'x',
        amountFen: 1,
        payerOpenid: 'o',
        timeExpire: new Date(Date.now() + 60_000),
      });
      await lost.pay('N_unreachable');
      expect(lost.notifications[0]).toMatchObject({
        url: gone.url,
        delivered: false,
        attempts: [expect.objectContaining({ status: 0, ok: false })],
      });
    } finally {
      await lost.close();
    }
  });
});

describe('forged, stale and tampered notifications', () => {
  let genuine: { headers: Record<string, string>; body: string };
  let resource: Record<string, unknown>;

  beforeAll(async () => {
    const no = await newOrder();
    await fake.pay(no, { notify: false });
    resource = fake.transactionResource(no);
    genuine = fake.buildNotification('TRANSACTION.SUCCESS', resource);
  });

  it('the genuine one parses (so each refusal below is about its one change)', () => {
    expect(parseWith(genuine.headers, genuine.body)()).toMatchObject({ eventType: 'TRANSACTION.SUCCESS' });
  });

  it('signed by another key → INVALID_SIGNATURE', () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect(parseWith(fake.signNotification(genuine.body, { key: stranger }), genuine.body)).toThrow(WechatPaySignatureError);
  });

  it('a wrong Wechatpay-Serial → INVALID_SIGNATURE', () => {
    expect(parseWith(fake.signNotification(genuine.body, { serial: 'PUB_KEY_ID_0000000000000000000000000000' }), genuine.body)).toThrow(
      /unknown Wechatpay-Serial/,
    );
  });

  it('stale: signed 301 s ago → INVALID_SIGNATURE; 299 s ago is fine', () => {
    const ts = Math.floor(now / 1000);
    expect(parseWith(fake.signNotification(genuine.body, { timestamp: ts - 301 }), genuine.body)).toThrow(WechatPaySignatureError);
    expect(parseWith(fake.signNotification(genuine.body, { timestamp: ts - 299 }), genuine.body)).not.toThrow();
  });

  it('a replay of a genuine notification 6 minutes later → INVALID_SIGNATURE', () => {
    expect(parseWith(genuine.headers, genuine.body, new Date(now + 6 * 60_000))).toThrow(WechatPaySignatureError);
  });

  it('the body changed after signing → INVALID_SIGNATURE', () => {
    expect(parseWith(genuine.headers, genuine.body.replace('"summary":"支付成功"', '"summary":"x"'))).toThrow(WechatPaySignatureError);
  });

  it('missing headers → INVALID_SIGNATURE', () => {
    const { 'wechatpay-signature': _s, ...rest } = genuine.headers;
    expect(parseWith(rest, genuine.body)).toThrow(WechatPaySignatureError);
  });

  const resign = (mutate: (env: { resource: Record<string, string> }) => void) => {
    const env = JSON.parse(genuine.body) as { resource: Record<string, string> };
    mutate(env);
    const body = JSON.stringify(env);
    return { headers: fake.signNotification(body), body };
  };

  it.each([
    {
      name: 'a tampered ciphertext',
      mutate: (env: { resource: Record<string, string> }) => {
        const buf = Buffer.from(env.resource.ciphertext!, 'base64');
        buf[5] = buf[5]! ^ 0x20;
        env.resource.ciphertext = buf.toString('base64');
      },
    },
    {
      name: 'a tampered associated_data',
      mutate: (env: { resource: Record<string, string> }) => {
        env.resource.associated_data = 'refund';
      },
    },
    {
      name: 'a tampered nonce',
      mutate: (env: { resource: Record<string, string> }) => {
        env.resource.nonce = 'AAAAAAAAAAAA';
      },
    },
  ])('$name, even re-signed by the platform key → WechatPayDecryptError', ({ mutate }) => {
    const { headers, body } = resign(mutate);
    expect(parseWith(headers, body)).toThrow(WechatPayDecryptError);
  });

  it('encrypted with another APIv3 key → WechatPayDecryptError', () => {
    const { headers, body } = resign((env) => {
      const wrong = encryptResource('ffffffffffffffffffffffffffffffff', JSON.stringify(resource), 'transaction');
      env.resource.ciphertext = wrong.ciphertext;
      env.resource.nonce = wrong.nonce;
    });
    expect(parseWith(headers, body)).toThrow(WechatPayDecryptError);
  });

  it('another merchant or AppID inside a genuine, decryptable resource → WechatPayNotificationError', () => {
    for (const other of [{ mchid: '1900000999' }, { appid: 'wx_other' }]) {
      const n = fake.buildNotification('TRANSACTION.SUCCESS', { ...resource, ...other });
      expect(parseWith(n.headers, n.body)).toThrow(WechatPayNotificationError);
    }
  });

  it('an unknown event type, a resource of the wrong shape, or a body that is not JSON → WechatPayNotificationError', () => {
    const unknown = resign((env) => {
      (env as unknown as Record<string, string>).event_type = 'TRANSACTION.CLOSED';
    });
    expect(parseWith(unknown.headers, unknown.body)).toThrow(/Unsupported event_type/);
    const notPaid = fake.buildNotification('TRANSACTION.SUCCESS', { ...resource, trade_state: 'NOTPAY' });
    expect(parseWith(notPaid.headers, notPaid.body)).toThrow(WechatPayNotificationError);
    const refundShaped = fake.buildNotification('REFUND.SUCCESS', resource);
    expect(parseWith(refundShaped.headers, refundShaped.body)).toThrow(WechatPayNotificationError);
    const text = 'not json';
    expect(parseWith(fake.signNotification(text), text)).toThrow(WechatPayNotificationError);
  });

  it('our endpoint answers a forgery 401 {"code":"FAIL"}, and WeChat would retry it', async () => {
    const forged = fake.signNotification(genuine.body, { key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey });
    const res = await fetch(receiver.url, { method: 'POST', headers: forged, body: genuine.body });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: 'FAIL', message: expect.stringContaining('does not verify') });
  });
});

describe('refund notifications', () => {
  it('settling a refund sends REFUND.SUCCESS, parsed into the refund', async () => {
    const no = await newOrder(5000);
    const order = await fake.pay(no, { notify: false });
    const r = await client.refund({ outTradeNo: no, outRefundNo: `R${no}`, refundFen: 2000, totalFen: 5000 });
    expect(parsed).toEqual([]);
    await fake.settleRefunds();
    expect(parsed).toEqual([
      {
        eventType: 'REFUND.SUCCESS',
        id: expect.any(String),
        refund: {
          outRefundNo: `R${no}`,
          refundId: r.refundId,
          status: 'SUCCESS',
          refundFen: 2000,
          totalFen: 5000,
          outTradeNo: no,
          transactionId: order.transactionId,
          successTime: expect.any(String),
        },
      },
    ]);
    const notice = parsed[0] as Extract<WechatPayNotification, { refund: unknown }>;
    expect(notice.refund.userReceivedAccount).toBe('支付用户零钱');
    expect(JSON.stringify(notice)).not.toContain('支付用户零钱');
    expect(JSON.parse(receiver.received.at(-1)!.body)).toMatchObject({
      event_type: 'REFUND.SUCCESS',
      resource: { original_type: 'refund', associated_data: 'refund' },
    });
  });

  it('an abnormal refund sends REFUND.ABNORMAL', async () => {
    const no = await newOrder(5000);
    await fake.pay(no, { notify: false });
    fake.abnormalNextRefund();
    await client.refund({ outTradeNo: no, outRefundNo: `R${no}`, refundFen: 5000, totalFen: 5000 });
    await fake.settleRefunds();
    expect(parsed).toEqual([
      expect.objectContaining({ eventType: 'REFUND.ABNORMAL', refund: expect.objectContaining({ status: 'ABNORMAL', refundFen: 5000 }) }),
    ]);
    expect((parsed[0] as Extract<WechatPayNotification, { refund: unknown }>).refund.successTime).toBeUndefined();
  });

  it('a refund notice for another merchant is refused', () => {
    const n = fake.buildNotification('REFUND.CLOSED', {
      mchid: '1900000999',
      out_trade_no: 'N1',
      transaction_id: '42',
      out_refund_no: 'R1',
      refund_id: '50',
      refund_status: 'CLOSED',
      amount: { total: 1, refund: 1 },
    });
    expect(parseWith(n.headers, n.body)).toThrow(/another merchant/);
    const ours = fake.buildNotification('REFUND.CLOSED', {
      mchid: fake.mchId,
      out_trade_no: 'N1',
      transaction_id: '42',
      out_refund_no: 'R1',
      refund_id: '50',
      refund_status: 'CLOSED',
      amount: { total: 1, refund: 1 },
    });
    expect(parseWith(ours.headers, ours.body)()).toMatchObject({ eventType: 'REFUND.CLOSED', refund: { status: 'CLOSED' } });
  });
});

describe('NOTIFY_ACK and the dev levers', () => {
  it('success is 204 with no body; failure is 4xx/5xx with {"code":"FAIL","message"}', () => {
    expect(NOTIFY_ACK.success).toEqual({ status: 204 });
    expect(NOTIFY_ACK.failure('签名错误', 401)).toEqual({
      status: 401,
      headers: { 'content-type': 'application/json' },
      body: '{"code":"FAIL","message":"签名错误"}',
    });
    expect(NOTIFY_ACK.failure('x').status).toBe(500);
  });

  it('a dev server pays and settles over /__fake/ with curl', async () => {
    const no = await newOrder(300);
    const res = await fetch(`${fake.url}/__fake/pay/${no}`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(parsed).toEqual([
      expect.objectContaining({ eventType: 'TRANSACTION.SUCCESS', transaction: expect.objectContaining({ outTradeNo: no }) }),
    ]);
    expect((await fetch(`${fake.url}/__fake/pay/${no}`, { method: 'POST' })).status).toBe(409);
    await client.refund({ outTradeNo: no, outRefundNo: `R${no}`, refundFen: 300, totalFen: 300 });
    expect((await fetch(`${fake.url}/__fake/settle-refunds`, { method: 'POST' })).status).toBe(200);
    expect(parsed.map((p) => p.eventType)).toEqual(['TRANSACTION.SUCCESS', 'REFUND.SUCCESS']);
    const state = (await (await fetch(`${fake.url}/__fake/state`)).json()) as { orders: { outTradeNo: string; tradeState: string }[] };
    expect(state.orders.find((o) => o.outTradeNo === no)?.tradeState).toBe('REFUND');
  });
});
