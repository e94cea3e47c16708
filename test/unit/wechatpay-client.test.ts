import { verify } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeWechatPay, startFakeWechatPay } from '../../shared/money/fake/server.js';
import { createWechatPayClient, type WechatPayClient, type WechatPayFailureLog } from '../../shared/money/wechatpay/client.js';
import type { WechatPayConfig } from '../../shared/money/wechatpay/config.js';
import {
  isOutTradeNoUsed,
  WechatPayBadResponseError,
  WechatPayError,
  WechatPayNotFoundError,
  WechatPayUnavailableError,
} from '../../shared/money/wechatpay/errors.js';
import { authorizationHeader, jsapiPayParams } from '../../shared/money/wechatpay/signing.js';
import { type NotifyReceiver, startNotifyReceiver } from '../helpers/notify-receiver.js';

let fake: FakeWechatPay;
let cfg: WechatPayConfig;
let client: WechatPayClient;
let sink: NotifyReceiver;
let seq = 0;

/** A fresh, valid out_trade_no per test so tests never share orders. */
const tradeNo = () => `T${Date.now().toString(36)}${(seq++).toString().padStart(4, '0')}`;
const order = (outTradeNo = tradeNo(), over: Partial<Parameters<WechatPayClient['createJsapiOrder']>[0]> = {}) => ({
  outTradeNo,
  description: '周六 阳光玫瑰葡萄 团购',
  amountFen: 7980,
  payerOpenid: 'o_member_1',
  timeExpire: new Date(Date.now() + 30 * 60_000),
  ...over,
});
async function paidOrder(amountFen = 7980): Promise<string> {
  const no = tradeNo();
  await client.createJsapiOrder(order(no, { amountFen }));
  await fake.pay(no, { notify: false });
  return no;
}
const rejection = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

beforeAll(async () => {
  // Notifications (refunds settle here too) go to a local sink, never to the order's https notify_url.
  sink = await startNotifyReceiver();
  fake = await startFakeWechatPay({ notifyUrl: sink.url });
  // Generous: both sides sign with RSA, slow on a busy 2-core machine; the timeout test below sets its own 200 ms.
  cfg = { ...fake.config('https://api.example.com/payments/wechat/notify'), timeoutMs: 5000 };
  client = createWechatPayClient(cfg);
});

afterAll(async () => {
  await fake?.close();
  await sink?.close();
});

describe('orders', () => {
  it('createJsapiOrder → a prepay_id; the wire body uses v3 field names', async () => {
    const no = tradeNo();
    const expire = new Date('2030-12-03T12:00:00Z');
    const { prepayId } = await client.createJsapiOrder(order(no, { attach: 'campaign=c1', timeExpire: expire }));
    expect(prepayId).toMatch(/^wx\w+$/);
    expect(fake.orders.get(no)).toMatchObject({
      appid: fake.appId,
      mchid: fake.mchId,
      amountFen: 7980,
      payerOpenid: 'o_member_1',
      attach: 'campaign=c1',
      notifyUrl: 'https://api.example.com/payments/wechat/notify',
      timeExpire: expire,
      tradeState: 'NOTPAY',
      prepayId,
    });
  });

  it('jsapiPayParams for that prepay_id verifies with the merchant public key (what WeChat checks)', async () => {
    const { prepayId } = await client.createJsapiOrder(order());
    const p = jsapiPayParams(cfg, prepayId);
    const message = `${p.appId}\n${p.timeStamp}\n${p.nonceStr}\n${p.package}\n`;
    expect(p.package).toBe(`prepay_id=${prepayId}`);
    expect(verify('sha256', Buffer.from(message), fake.mchPublicKeyPem, Buffer.from(p.paySign, 'base64'))).toBe(true);
    expect(verify('sha256', Buffer.from(message), fake.platformPublicKeyPem, Buffer.from(p.paySign, 'base64'))).toBe(false);
  });

  it('an identical repeat succeeds with the same prepay_id (a retry after a timeout is safe)', async () => {
    const o = order();
    const first = await client.createJsapiOrder(o);
    expect(await client.createJsapiOrder({ ...o })).toEqual(first);
    expect(fake.orders.size).toBeGreaterThan(0);
  });

  it('the same out_trade_no with other parameters is refused as a used number', async () => {
    const o = order();
    await client.createJsapiOrder(o);
    const err = await rejection(client.createJsapiOrder({ ...o, amountFen: 100 }));
    expect(err).toBeInstanceOf(WechatPayError);
    expect(err).toMatchObject({ status: 502, code: 'PAYMENT_PROVIDER_ERROR', details: { wechatCode: 'INVALID_REQUEST' } });
    expect(isOutTradeNoUsed(err)).toBe(true);
    expect(isOutTradeNoUsed(new WechatPayError('x', 'PARAM_ERROR'))).toBe(false);
  });

  it.each([
    { name: 'amount 0', over: { amountFen: 0 }, wechatCode: 'PARAM_ERROR' },
    { name: 'a negative amount', over: { amountFen: -5 }, wechatCode: 'PARAM_ERROR' },
    { name: 'a fractional amount', over: { amountFen: 1.5 }, wechatCode: 'PARAM_ERROR' },
    // description: 1 to 127 bytes of UTF-8, each character 1 to 3 bytes (no emoji or other 4-byte characters)
    { name: 'a 128-character description', over: { description: '葡'.repeat(128) }, wechatCode: 'PARAM_ERROR' },
    { name: 'a description of 43 Chinese characters (129 bytes)', over: { description: '葡'.repeat(43) }, wechatCode: 'PARAM_ERROR' },
    { name: 'a description of 128 ASCII bytes', over: { description: 'a'.repeat(128) }, wechatCode: 'PARAM_ERROR' },
    { name: 'an empty description', over: { description: '' }, wechatCode: 'PARAM_ERROR' },
    { name: 'a description with an emoji (4 bytes)', over: { description: '周六 葡萄🍇 团购' }, wechatCode: 'PARAM_ERROR' },
    { name: 'a description with a 4-byte CJK character', over: { description: '𠮷野家 团购' }, wechatCode: 'PARAM_ERROR' },
    { name: 'a description with a lone surrogate', over: { description: '葡萄\ud83c' }, wechatCode: 'PARAM_ERROR' },
    { name: 'an empty openid', over: { payerOpenid: '' }, wechatCode: 'PARAM_ERROR' },
    { name: 'a too short out_trade_no', over: { outTradeNo: 'T1' }, wechatCode: 'PARAM_ERROR' },
  ])('refuses $name with 4xx → WechatPayError', async ({ over, wechatCode }) => {
    const err = await rejection(client.createJsapiOrder(order(undefined, over)));
    expect(err).toBeInstanceOf(WechatPayError);
    expect((err as WechatPayError).wechatCode).toBe(wechatCode);
    expect((err as WechatPayError).httpStatus).toBe(400);
  });

  it.each([
    { name: '127 ASCII bytes', description: 'a'.repeat(127) },
    { name: '42 Chinese characters and an ASCII one (127 bytes)', description: `${'葡'.repeat(42)}a` },
    { name: 'symbols of 2 and 3 bytes', description: '【限时】草莓&蓝莓 ¥29.9 ★ №1 ～ © ❤' },
  ])('accepts a description of $name', async ({ description }) => {
    const no = tradeNo();
    await expect(client.createJsapiOrder(order(no, { description }))).resolves.toHaveProperty('prepayId');
    expect(fake.orders.get(no)?.description).toBe(description);
  });

  it('the same out_trade_no with another description is refused as a used number (a title edited in between)', async () => {
    const o = order();
    await client.createJsapiOrder(o);
    const err = await rejection(client.createJsapiOrder({ ...o, description: `${o.description} 改` }));
    expect(isOutTradeNoUsed(err)).toBe(true);
  });

  it('another AppID or merchant is refused', async () => {
    await expect(createWechatPayClient({ ...cfg, appId: 'wx_other' }).createJsapiOrder(order())).rejects.toMatchObject({
      wechatCode: 'APPID_MCHID_NOT_MATCH',
    });
  });

  it('a request signed with the wrong merchant key → 401 SIGN_ERROR', async () => {
    const stranger = await startFakeWechatPay();
    try {
      const forged = createWechatPayClient({ ...cfg, mchPrivateKeyPem: stranger.config().mchPrivateKeyPem });
      const ordersBefore = fake.orders.size;
      const err = await rejection(forged.createJsapiOrder(order()));
      expect(err).toBeInstanceOf(WechatPayError);
      expect(err).toMatchObject({ wechatCode: 'SIGN_ERROR', httpStatus: 401 });
      expect(fake.requests.at(-1)).toMatchObject({ status: 401, wechatCode: 'SIGN_ERROR' });
      expect(fake.orders.size).toBe(ordersBefore);
      // and with the right key but another certificate serial
      await expect(createWechatPayClient({ ...cfg, mchSerialNo: 'ABCDEF0123456789' }).queryOrder('T000000')).rejects.toMatchObject({
        wechatCode: 'SIGN_ERROR',
      });
    } finally {
      await stranger.close();
    }
  });

  it('queryOrder: NOTPAY, then SUCCESS with transaction_id, payer and amounts after paying', async () => {
    const no = tradeNo();
    await client.createJsapiOrder(order(no, { attach: 'c1' }));
    expect(await client.queryOrder(no)).toEqual({ outTradeNo: no, tradeState: 'NOTPAY', amountFen: 7980, attach: 'c1' });
    const paidAt = new Date();
    await fake.pay(no, { notify: false, at: paidAt });
    const tx = await client.queryOrder(no);
    expect(tx).toEqual({
      outTradeNo: no,
      tradeState: 'SUCCESS',
      transactionId: fake.orders.get(no)!.transactionId,
      amountFen: 7980,
      payerTotalFen: 7980,
      successTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/),
      payerOpenid: 'o_member_1',
      attach: 'c1',
    });
    expect(Math.abs(new Date(tx.successTime!).getTime() - paidAt.getTime())).toBeLessThan(1000);
  });

  it('queryOrder of an unknown order → WechatPayNotFoundError', async () => {
    const err = await rejection(client.queryOrder('T_never_created'));
    expect(err).toBeInstanceOf(WechatPayNotFoundError);
    expect(err).toMatchObject({ wechatCode: 'ORDER_NOT_EXIST' });
  });

  it('closeOrder: CLOSED, idempotent; a closed order cannot be paid or re-created', async () => {
    const o = order();
    await client.createJsapiOrder(o);
    await expect(client.closeOrder(o.outTradeNo)).resolves.toBeUndefined();
    await client.closeOrder(o.outTradeNo);
    expect((await client.queryOrder(o.outTradeNo)).tradeState).toBe('CLOSED');
    await expect(fake.pay(o.outTradeNo)).rejects.toThrow(/CLOSED/);
    await expect(client.createJsapiOrder(o)).rejects.toMatchObject({ wechatCode: 'ORDER_CLOSED' });
  });

  it('closeOrder of a paid order is refused; of an unknown order is not found', async () => {
    const no = await paidOrder();
    await expect(client.closeOrder(no)).rejects.toMatchObject({ wechatCode: 'ORDERPAID' });
    await expect(client.closeOrder('T_never_created')).rejects.toBeInstanceOf(WechatPayNotFoundError);
  });

  it('an order past time_expire reads CLOSED and cannot be paid', async () => {
    let now = Date.now();
    const timed = await startFakeWechatPay({ clock: () => new Date(now) });
    try {
      const c = createWechatPayClient(timed.config('https://api.example.com/n'));
      const o = order(undefined, { timeExpire: new Date(now + 60_000) });
      await c.createJsapiOrder(o);
      expect((await c.queryOrder(o.outTradeNo)).tradeState).toBe('NOTPAY');
      now += 61_000;
      expect((await c.queryOrder(o.outTradeNo)).tradeState).toBe('CLOSED');
      await expect(timed.pay(o.outTradeNo)).rejects.toThrow(/CLOSED/);
    } finally {
      await timed.close();
    }
  });
});

describe('refunds', () => {
  it('a partial refund: PROCESSING, then SUCCESS after settling; the order turns REFUND', async () => {
    const no = await paidOrder(7980);
    const r = await client.refund({ outTradeNo: no, outRefundNo: `R${no}`, refundFen: 3000, totalFen: 7980, reason: '缺货' });
    expect(r).toEqual({
      outRefundNo: `R${no}`,
      refundId: expect.stringMatching(/^50\d+$/),
      status: 'PROCESSING',
      refundFen: 3000,
      totalFen: 7980,
      outTradeNo: no,
      transactionId: fake.orders.get(no)!.transactionId,
    });
    expect((await client.queryOrder(no)).tradeState).toBe('REFUND');
    await fake.settleRefunds();
    const settled = await client.queryRefund(`R${no}`);
    expect(settled).toMatchObject({ status: 'SUCCESS', refundId: r.refundId, refundFen: 3000, successTime: expect.any(String) });
  });

  it('userReceivedAccount is readable but never serialised (so never logged)', async () => {
    const no = await paidOrder();
    const r = await client.refund({ outTradeNo: no, outRefundNo: `R${no}`, refundFen: 1, totalFen: 7980 });
    expect(r.userReceivedAccount).toBe('支付用户零钱');
    expect(JSON.stringify(r)).not.toContain('支付用户零钱');
    expect({ ...r }).not.toHaveProperty('userReceivedAccount');
  });

  it('the same out_refund_no again → the same refund, not a second one', async () => {
    const no = await paidOrder();
    const req = { outTradeNo: no, outRefundNo: `R${no}`, refundFen: 7980, totalFen: 7980 };
    const first = await client.refund(req);
    const again = await client.refund(req);
    expect(again.refundId).toBe(first.refundId);
    expect([...fake.refunds.values()].filter((x) => x.outTradeNo === no)).toHaveLength(1);
    // the same number with another amount is refused
    await expect(client.refund({ ...req, refundFen: 100 })).rejects.toMatchObject({ wechatCode: 'INVALID_REQUEST' });
  });

  it('refunds add up to at most the paid amount', async () => {
    const no = await paidOrder(1000);
    await client.refund({ outTradeNo: no, outRefundNo: `R1${no}`, refundFen: 600, totalFen: 1000 });
    const err = await rejection(client.refund({ outTradeNo: no, outRefundNo: `R2${no}`, refundFen: 401, totalFen: 1000 }));
    expect(err).toBeInstanceOf(WechatPayError);
    expect(err).toMatchObject({ wechatCode: 'INVALID_REQUEST', httpStatus: 400 });
    await expect(client.refund({ outTradeNo: no, outRefundNo: `R3${no}`, refundFen: 400, totalFen: 1000 })).resolves.toMatchObject({
      status: 'PROCESSING',
    });
  });

  it('a wrong total, an unpaid order and an unknown order are refused', async () => {
    const no = await paidOrder(1000);
    await expect(client.refund({ outTradeNo: no, outRefundNo: `RA${no}`, refundFen: 100, totalFen: 999 })).rejects.toMatchObject({
      wechatCode: 'PARAM_ERROR',
    });
    const unpaid = order();
    await client.createJsapiOrder(unpaid);
    await expect(
      client.refund({ outTradeNo: unpaid.outTradeNo, outRefundNo: `RB${no}`, refundFen: 100, totalFen: 7980 }),
    ).rejects.toMatchObject({ wechatCode: 'INVALID_REQUEST' });
    await expect(
      client.refund({ outTradeNo: 'T_never_created', outRefundNo: `RC${no}`, refundFen: 1, totalFen: 1 }),
    ).rejects.toBeInstanceOf(WechatPayNotFoundError);
    await expect(client.queryRefund('R_never_created')).rejects.toBeInstanceOf(WechatPayNotFoundError);
  });

  it('injected failures: SYSTEM_ERROR → unavailable, then a retry with the same out_refund_no succeeds once', async () => {
    const no = await paidOrder();
    const req = { outTradeNo: no, outRefundNo: `R${no}`, refundFen: 500, totalFen: 7980 };
    fake.failNextRefunds(2);
    for (let i = 0; i < 2; i++) {
      const err = await rejection(client.refund(req));
      expect(err).toBeInstanceOf(WechatPayUnavailableError);
      expect(err).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', details: { wechatCode: 'SYSTEM_ERROR' } });
    }
    await expect(client.refund(req)).resolves.toMatchObject({ status: 'PROCESSING', refundFen: 500 });
  });

  it.each([
    { code: 'NOT_ENOUGH', type: WechatPayError, httpStatus: 403 },
    { code: 'USER_ACCOUNT_ABNORMAL', type: WechatPayError, httpStatus: 403 },
    { code: 'FREQUENCY_LIMITED', type: WechatPayUnavailableError, httpStatus: undefined },
  ])('injected $code', async ({ code, type, httpStatus }) => {
    const no = await paidOrder();
    fake.failNextRefunds(1, code);
    const err = await rejection(client.refund({ outTradeNo: no, outRefundNo: `R${no}`, refundFen: 1, totalFen: 7980 }));
    expect(err).toBeInstanceOf(type);
    expect(err).toMatchObject({ wechatCode: code });
    if (httpStatus) expect((err as WechatPayError).httpStatus).toBe(httpStatus);
  });

  it('abnormalNextRefund → ABNORMAL once settled', async () => {
    const no = await paidOrder();
    fake.abnormalNextRefund();
    await client.refund({ outTradeNo: no, outRefundNo: `R${no}`, refundFen: 100, totalFen: 7980 });
    await fake.settleRefunds();
    expect(await client.queryRefund(`R${no}`)).toMatchObject({ status: 'ABNORMAL' });
    expect((await client.queryRefund(`R${no}`)).successTime).toBeUndefined();
  });

  it('instantRefunds answers SUCCESS at once', async () => {
    const instant = await startFakeWechatPay({ instantRefunds: true });
    try {
      const c = createWechatPayClient(instant.config('https://127.0.0.1:1/unreachable'));
      const o = order();
      await c.createJsapiOrder(o);
      await instant.pay(o.outTradeNo, { notify: false });
      await expect(c.refund({ outTradeNo: o.outTradeNo, outRefundNo: 'R1', refundFen: 10, totalFen: o.amountFen })).resolves.toMatchObject({
        status: 'SUCCESS',
        successTime: expect.any(String),
      });
      await instant.idle();
      expect(instant.notifications.map((n) => n.eventType)).toEqual(['REFUND.SUCCESS']);
    } finally {
      await instant.close();
    }
  });
});

describe('answers that cannot be trusted', () => {
  it.each([
    { kind: 'bad-signature' as const },
    { kind: 'wrong-serial' as const },
    { kind: 'stale-timestamp' as const },
    { kind: 'unsigned' as const },
  ])('$kind → WechatPayBadResponseError, logged without secrets', async ({ kind }) => {
    const logged: Parameters<WechatPayFailureLog>[0][] = [];
    const c = createWechatPayClient(cfg, (f) => logged.push(f));
    const no = tradeNo();
    fake.misbehaveNext(kind);
    const err = await rejection(c.createJsapiOrder(order(no)));
    expect(err).toBeInstanceOf(WechatPayBadResponseError);
    expect(err).toMatchObject({ status: 502, code: 'PAYMENT_PROVIDER_ERROR', details: { reason: 'INVALID_RESPONSE_SIGNATURE' } });
    expect(logged).toHaveLength(1);
    const text = JSON.stringify(logged) + (err as Error).message;
    for (const secret of [cfg.apiV3Key, cfg.mchPrivateKeyPem.slice(40, 80), 'o_member_1']) expect(text).not.toContain(secret);
    // the request itself went through: an identical retry gets the same prepay_id
    await expect(c.createJsapiOrder(order(no, { timeExpire: fake.orders.get(no)!.timeExpire! }))).resolves.toEqual({
      prepayId: fake.orders.get(no)!.prepayId,
    });
  });

  it('a bad signature on a refused request also wins over its (untrusted) error code', async () => {
    fake.misbehaveNext('bad-signature');
    await expect(client.queryOrder('T_never_created')).rejects.toBeInstanceOf(WechatPayBadResponseError);
    // unsigned: only a 401 (WeChat could not authenticate us) may come without a signature
    fake.misbehaveNext('unsigned');
    await expect(client.queryOrder('T_never_created')).rejects.toBeInstanceOf(WechatPayBadResponseError);
    await expect(client.queryOrder('T_never_created')).rejects.toBeInstanceOf(WechatPayNotFoundError);
  });

  it('a signed 200 that is not JSON → WechatPayBadResponseError', async () => {
    fake.misbehaveNext('garbage');
    await expect(client.createJsapiOrder(order())).rejects.toMatchObject({ details: { reason: 'UNEXPECTED_ANSWER' } });
  });

  it('HTTP 500 from a gateway → WechatPayUnavailableError', async () => {
    fake.misbehaveNext('http-500');
    await expect(client.queryOrder('T_whatever')).rejects.toBeInstanceOf(WechatPayUnavailableError);
  });

  it('no answer within timeoutMs → WechatPayUnavailableError', async () => {
    const logged: Parameters<WechatPayFailureLog>[0][] = [];
    const c = createWechatPayClient({ ...cfg, timeoutMs: 200 }, (f) => logged.push(f));
    fake.misbehaveNext('hang');
    const started = Date.now();
    const err = await rejection(c.queryOrder('T_hangs'));
    expect(err).toBeInstanceOf(WechatPayUnavailableError);
    expect(err).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(logged).toEqual([{ method: 'GET', path: '/v3/pay/transactions/out-trade-no/T_hangs', reason: 'timeout' }]);
  });

  it('connection refused → WechatPayUnavailableError', async () => {
    const gone = await startFakeWechatPay();
    const c = createWechatPayClient(gone.config());
    await gone.close();
    await expect(c.queryOrder('T123456')).rejects.toBeInstanceOf(WechatPayUnavailableError);
  });

  it('a signed answer about another order is refused', async () => {
    const o = order();
    await client.createJsapiOrder(o);
    // A man in the middle swaps the request for one about another (real, signed) order.
    const swapped: typeof fetch = async (_input, init) => {
      const other = new URL(`/v3/pay/transactions/out-trade-no/${o.outTradeNo}?mchid=${cfg.mchId}`, cfg.apiBase);
      return fetch(other, {
        ...init,
        headers: {
          ...(init?.headers as Record<string, string>),
          authorization: authorizationHeader(cfg, 'GET', other.pathname + other.search, ''),
        },
      });
    };
    await expect(createWechatPayClient({ ...cfg, fetch: swapped }).queryOrder('T_asked_about')).rejects.toMatchObject({
      details: { reason: 'ORDER_MISMATCH' },
    });
  });
});

describe('answer handling (injected fetch)', () => {
  /** Answers one canned response and records the request it was given. */
  const canned = (status: number, body: string, headers: Record<string, string> = {}, seen: { url: string; init?: RequestInit }[] = []) =>
    (async (input: string | URL | Request, init?: RequestInit) => {
      seen.push({ url: String(input), ...(init ? { init } : {}) });
      return new Response(status === 204 ? null : body, { status, headers });
    }) as typeof fetch;

  it('sends a signed JSON request to apiBase with accept, content-type and a User-Agent, never following redirects', async () => {
    const seen: { url: string; init?: RequestInit }[] = [];
    const body = '{"prepay_id":"wx1"}';
    const c = createWechatPayClient({
      ...cfg,
      apiBase: 'https://api.mch.weixin.qq.com',
      fetch: canned(200, body, fake.signNotification(body), seen),
    });
    await expect(c.createJsapiOrder(order('T_canned_1'))).resolves.toEqual({ prepayId: 'wx1' });
    expect(seen[0]!.url).toBe('https://api.mch.weixin.qq.com/v3/pay/transactions/jsapi');
    const h = seen[0]!.init!.headers as Record<string, string>;
    expect(h.authorization).toMatch(/^WECHATPAY2-SHA256-RSA2048 mchid="/);
    expect(h).toMatchObject({ accept: 'application/json', 'content-type': 'application/json', 'user-agent': expect.any(String) });
    expect(seen[0]!.init!.redirect).toBe('error');
    expect(JSON.parse(String(seen[0]!.init!.body))).toMatchObject({
      appid: cfg.appId,
      mchid: cfg.mchId,
      out_trade_no: 'T_canned_1',
      notify_url: cfg.notifyUrl,
      amount: { total: 7980, currency: 'CNY' },
      payer: { openid: 'o_member_1' },
      time_expire: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/),
    });
  });

  it('an unsigned 401 is our signature refused: WechatPayError SIGN_ERROR', async () => {
    const c = createWechatPayClient({ ...cfg, fetch: canned(401, '{"code":"SIGN_ERROR","message":"签名错误"}') });
    await expect(c.queryOrder('T123456')).rejects.toMatchObject({ constructor: WechatPayError, wechatCode: 'SIGN_ERROR', httpStatus: 401 });
  });

  it.each([
    { name: 'an unsigned 200', status: 200, body: '{"prepay_id":"wx1"}', type: WechatPayBadResponseError },
    {
      name: 'an unsigned 404 ORDER_NOT_EXIST',
      status: 404,
      body: '{"code":"ORDER_NOT_EXIST","message":"x"}',
      type: WechatPayBadResponseError,
    },
    { name: 'a 503 gateway page', status: 503, body: '<html>busy</html>', type: WechatPayUnavailableError },
    { name: 'an unsigned 429', status: 429, body: '{"code":"FREQUENCY_LIMITED","message":"x"}', type: WechatPayUnavailableError },
  ])('$name → $type.name', async ({ status, body, type }) => {
    const c = createWechatPayClient({ ...cfg, fetch: canned(status, body) });
    await expect(c.createJsapiOrder(order())).rejects.toBeInstanceOf(type);
  });

  it('a signed 200 without prepay_id → WechatPayBadResponseError', async () => {
    const body = '{"code":"SUCCESS"}';
    const c = createWechatPayClient({ ...cfg, fetch: canned(200, body, fake.signNotification(body)) });
    await expect(c.createJsapiOrder(order())).rejects.toMatchObject({ details: { reason: 'UNEXPECTED_ANSWER' } });
  });

  it('a redirect is never followed → WechatPayUnavailableError', async () => {
    const redirector = createServer((_req, res) => {
      res.writeHead(302, { location: `${fake.url}/v3/pay/transactions/out-trade-no/T123456?mchid=${cfg.mchId}` });
      res.end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    try {
      const c = createWechatPayClient({ ...cfg, apiBase: `http://127.0.0.1:${(redirector.address() as AddressInfo).port}` });
      await expect(c.queryOrder('T123456')).rejects.toBeInstanceOf(WechatPayUnavailableError);
    } finally {
      redirector.closeAllConnections();
      await new Promise((resolve) => redirector.close(resolve));
    }
  });
});
