import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WechatPayConfig } from '../index.js';
import { toWechatTime } from '../index.js';
import { checkMerchantSignature, Refusal } from './auth.js';
import {
  type FakeDelivery,
  type FakeEventType,
  type FakeNotification,
  FakeNotifier,
  type FakeSigningKey,
  type SignOptions,
} from './notifier.js';
import { digits, type FakeOrder, type FakeRefund, refundNoticeWire, refundWire, transactionWire } from './wire.js';

/**
 * A local WeChat Pay APIv3 (JSAPI, 公钥模式) with real cryptography, for tests and `npm start`.
 * It makes its own merchant key pair, platform key pair, APIv3 key and serials, so
 * `fake.config()` is a complete WechatPayConfig pointing at it. Like the real one it refuses
 * requests whose Authorization does not verify (401 SIGN_ERROR), signs every answer with the
 * platform key, and POSTs signed, encrypted notifications. Test levers: pay(), deliverPending(),
 * settleRefunds(), failNextRefunds(), abnormalNextRefund(), closeNextRefund(), misbehaveNext(). A dev server can pull
 * the same levers over HTTP under /__fake/ (unsigned; the fake binds 127.0.0.1 only).
 */

export type { FakeSigningKey } from './notifier.js';
export type { FakeOrder, FakeRefund } from './wire.js';

export interface FakeWechatPayOptions {
  /** default: a free port */
  port?: number;
  /** deliver every notification here instead of the order's notify_url (a dev server on http://localhost) */
  notifyUrl?: string;
  clock?: () => Date;
  /** refunds become SUCCESS (or ABNORMAL / CLOSED) at once, notified in the background, instead of on settleRefunds() */
  instantRefunds?: boolean;
  mchId?: string;
  appId?: string;
  /** per notification POST; default 5000 */
  deliveryTimeoutMs?: number;
  /** every API answer waits this long first (a slow WeChat Pay, for the sweep benchmark); default 0 */
  latencyMs?: number;
}

/** One API call as the fake saw it (no headers or bodies, as in our own logs). */
export interface FakeRequest {
  method: string;
  path: string;
  status: number;
  wechatCode?: string;
}

/** Ways the next answers go wrong, for the client's defences. */
export type FakeMisbehaviour = 'bad-signature' | 'wrong-serial' | 'stale-timestamp' | 'unsigned' | 'hang' | 'http-500' | 'garbage';

export interface FakeWechatPay {
  readonly url: string;
  readonly mchId: string;
  readonly appId: string;
  readonly mchSerialNo: string;
  readonly platformSerial: string;
  readonly apiV3Key: string;
  readonly platformPublicKeyPem: string;
  /** the second key WeChat Pay may sign with during a migration: a platform certificate's (hex serial) */
  readonly platformCertSerial: string;
  readonly platformCertPublicKeyPem: string;
  readonly mchPublicKeyPem: string;
  /**
   * A complete config for this fake, trusting both its keys (the public key first, the certificate in
   * platformKeys); notifyUrl defaults to opts.notifyUrl, else npm start's route.
   */
  config(notifyUrl?: string): WechatPayConfig;
  /** which key signs answers and notifications from now on (default 'public-key') */
  signWith(key: FakeSigningKey): void;
  readonly orders: Map<string, FakeOrder>;
  /** by out_refund_no */
  readonly refunds: Map<string, FakeRefund>;
  /** every notification, with its attempts and our answers */
  readonly notifications: FakeNotification[];
  /** every attempt, flat, in order */
  readonly deliveries: FakeDelivery[];
  readonly requests: FakeRequest[];
  /**
   * the member pays: SUCCESS with a transaction_id, and (unless notify: false, a lost notification) a TRANSACTION.SUCCESS POST.
   * `totalFen`: WeChat's order turns out to be for another total than was asked (a payment that does not match our order);
   * it stays the order's total, so refunds must quote it.
   */
  pay(outTradeNo: string, opts?: { at?: Date; notify?: boolean; payerTotalFen?: number; totalFen?: number }): Promise<FakeOrder>;
  /** retry every unacknowledged notification once now (compressed time), or only those due by the clock */
  deliverPending(opts?: { dueOnly?: boolean }): Promise<FakeDelivery[]>;
  /** PROCESSING refunds become SUCCESS (or ABNORMAL / CLOSED), each notified */
  settleRefunds(): Promise<FakeRefund[]>;
  /** the next n refund calls fail: SYSTEM_ERROR is HTTP 500, other codes 4xx (FREQUENCY_LIMITED 429, NOT_ENOUGH 403, else 400) */
  failNextRefunds(n: number, code?: string): void;
  /** the next refund created settles as ABNORMAL with a REFUND.ABNORMAL notification */
  abnormalNextRefund(): void;
  /** from now on every API answer waits `ms` first (0: at once) */
  setLatency(ms: number): void;
  /**
   * the next refund created settles as CLOSED with a REFUND.CLOSED notification (WeChat closes a refund it could not pay
   * out for 7 days, e.g. the merchant's balance ran short); a closed refund no longer counts against the order
   */
  closeNextRefund(): void;
  /** the next n API answers misbehave; signature kinds still carry out the request */
  misbehaveNext(kind: FakeMisbehaviour, n?: number): void;
  /** Wechatpay-* headers for a body: forge with `key`, go stale with an old `timestamp` */
  signNotification(body: string, opts?: SignOptions): Record<string, string>;
  /** AES-256-GCM with this fake's APIv3 key, as in a notification's resource */
  encrypt(
    plaintext: string,
    associatedData: string,
    nonce?: string,
  ): { algorithm: 'AEAD_AES_256_GCM'; ciphertext: string; associated_data: string; nonce: string };
  /** a signed notification envelope around `resource` (not sent) */
  buildNotification(
    eventType: FakeEventType,
    resource: object,
    opts?: SignOptions & { id?: string },
  ): { body: string; headers: Record<string, string> };
  /** the wire resource WeChat would encrypt for this order / refund */
  transactionResource(outTradeNo: string): Record<string, unknown>;
  refundResource(outRefundNo: string): Record<string, unknown>;
  /** resolves when background notifications (instant refunds) are done */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?([+-]\d\d:\d\d|Z)$/;
const MAX_BODY = 1 << 20;

const pem = (k: KeyObject, type: 'pkcs8' | 'spki') => k.export({ format: 'pem', type }) as string;

function isNotifyUrl(v: unknown): v is string {
  if (typeof v !== 'string' || v.length > 255) return false;
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || (u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname));
  } catch {
    return false;
  }
}

/**
 * description is string(127) counted in UTF-8 bytes, and WeChat Pay takes only 1- to 3-byte UTF-8
 * characters: an emoji (or any character beyond U+FFFF, or a lone surrogate) is PARAM_ERROR.
 * In UTF-16 every such character has a surrogate code unit, which is what the test looks for.
 */
const DESCRIPTION_MAX_BYTES = 127;
const isDescription = (v: string) => v.length > 0 && Buffer.byteLength(v, 'utf8') <= DESCRIPTION_MAX_BYTES && !/[\uD800-\uDFFF]/.test(v);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const posInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;

export async function startFakeWechatPay(opts: FakeWechatPayOptions = {}): Promise<FakeWechatPay> {
  const clock = opts.clock ?? (() => new Date());
  const mchId = opts.mchId ?? '1900000109';
  const appId = opts.appId ?? 'wxd678efh567hg6787';
  const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const certificate = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let forger: KeyObject | undefined; // made on first 'bad-signature': key generation is slow
  const mchSerialNo = randomBytes(20).toString('hex').toUpperCase();
  const platformSerial = `PUB_KEY_ID_01${mchId}${digits(14)}`;
  const platformCertSerial = randomBytes(20).toString('hex').toUpperCase();
  const apiV3Key = randomBytes(16).toString('hex');
  const notifier = new FakeNotifier(
    {
      'public-key': { key: platform.privateKey, serial: platformSerial },
      certificate: { key: certificate.privateKey, serial: platformCertSerial },
    },
    apiV3Key,
    clock,
    opts.deliveryTimeoutMs ?? 5000,
  );

  const orders = new Map<string, FakeOrder>();
  const refunds = new Map<string, FakeRefund>();
  const requests: FakeRequest[] = [];
  const misbehaviours: FakeMisbehaviour[] = [];
  const refundFailures: string[] = [];
  const background = new Set<Promise<unknown>>();
  let nextEnd: FakeRefund['endsAs'] = 'SUCCESS';
  let latencyMs = opts.latencyMs ?? 0;

  /** Expiry is lazy: an unpaid order past time_expire reads as CLOSED, as the real one does. */
  const current = (o: FakeOrder): FakeOrder => {
    if (o.tradeState === 'NOTPAY' && o.timeExpire && clock().getTime() > o.timeExpire.getTime()) o.tradeState = 'CLOSED';
    return o;
  };
  const orderByTransactionId = (id: string) => [...orders.values()].find((o) => o.transactionId === id);
  const notifyTarget = (url: string) => opts.notifyUrl ?? url;

  function transactionResource(outTradeNo: string): Record<string, unknown> {
    const o = orders.get(outTradeNo);
    if (!o) throw new Error(`fake wechatpay: no order ${outTradeNo}`);
    return transactionWire(current(o));
  }

  function refundResource(outRefundNo: string): Record<string, unknown> {
    const r = refunds.get(outRefundNo);
    if (!r) throw new Error(`fake wechatpay: no refund ${outRefundNo}`);
    return refundNoticeWire(r, mchId);
  }

  async function settle(r: FakeRefund): Promise<void> {
    r.status = r.endsAs;
    if (r.status === 'SUCCESS') r.successTime ??= clock();
    const order = orders.get(r.outTradeNo);
    const url = r.notifyUrl ?? order?.notifyUrl;
    if (url) await notifier.send(`REFUND.${r.endsAs}`, refundResource(r.outRefundNo), notifyTarget(url));
  }

  // ---- the API ----

  function createJsapi(b: Record<string, unknown>): { status: number; body: unknown } {
    if (b.mchid !== mchId) throw new Refusal(400, 'MCH_NOT_EXISTS', '商户号不存在');
    if (b.appid !== appId) throw new Refusal(400, 'APPID_MCHID_NOT_MATCH', 'AppID和mch_id不匹配');
    const { description, out_trade_no: no, time_expire: expire, attach, notify_url: notifyUrl, amount, payer } = b;
    if (typeof description !== 'string' || !isDescription(description))
      throw new Refusal(400, 'PARAM_ERROR', '参数错误：description 须为 1-127 字节的 UTF-8 文本，且不含 4 字节字符');
    if (typeof no !== 'string' || !OUT_TRADE_NO.test(no)) throw new Refusal(400, 'PARAM_ERROR', '参数错误：out_trade_no');
    if (expire !== undefined && (typeof expire !== 'string' || !RFC3339.test(expire)))
      throw new Refusal(400, 'PARAM_ERROR', '参数错误：time_expire');
    if (attach !== undefined && (typeof attach !== 'string' || [...attach].length > 128))
      throw new Refusal(400, 'PARAM_ERROR', '参数错误：attach');
    if (!isNotifyUrl(notifyUrl)) throw new Refusal(400, 'PARAM_ERROR', '参数错误：notify_url');
    if (!isObject(amount) || !posInt(amount.total)) throw new Refusal(400, 'PARAM_ERROR', '参数错误：amount.total');
    if (amount.currency !== undefined && amount.currency !== 'CNY') throw new Refusal(400, 'PARAM_ERROR', '参数错误：amount.currency');
    if (!isObject(payer) || typeof payer.openid !== 'string' || payer.openid === '')
      throw new Refusal(400, 'PARAM_ERROR', '参数错误：payer.openid');
    const requestKey = JSON.stringify([description, amount.total, payer.openid, attach ?? null, expire ?? null]);
    const existing = orders.get(no);
    if (existing) {
      current(existing);
      if (existing.requestKey !== requestKey) throw new Refusal(400, 'INVALID_REQUEST', '201 商户订单号重复');
      if (existing.tradeState === 'CLOSED') throw new Refusal(400, 'ORDER_CLOSED', '订单已关闭');
      if (existing.tradeState !== 'NOTPAY') throw new Refusal(400, 'ORDERPAID', '该订单已支付');
      return { status: 200, body: { prepay_id: existing.prepayId } };
    }
    const order: FakeOrder = {
      outTradeNo: no,
      appid: appId,
      mchid: mchId,
      description,
      amountFen: amount.total,
      payerOpenid: payer.openid,
      ...(attach === undefined ? {} : { attach: attach as string }),
      notifyUrl,
      ...(expire === undefined ? {} : { timeExpire: new Date(expire as string) }),
      prepayId: `wx${toWechatTime(clock()).replace(/\D/g, '').slice(0, 14)}${randomBytes(10).toString('hex')}`,
      tradeState: 'NOTPAY',
      requestKey,
    };
    orders.set(no, order);
    return { status: 200, body: { prepay_id: order.prepayId } };
  }

  function findOrder(no: string): FakeOrder {
    const o = orders.get(no);
    if (!o) throw new Refusal(404, 'ORDER_NOT_EXIST', '订单不存在');
    return current(o);
  }

  function closeOrder(no: string, b: Record<string, unknown>): { status: number; body: unknown } {
    if (b.mchid !== mchId) throw new Refusal(400, 'PARAM_ERROR', '参数错误：mchid');
    const o = findOrder(no);
    if (o.tradeState === 'SUCCESS' || o.tradeState === 'REFUND') throw new Refusal(400, 'ORDERPAID', '订单已支付');
    o.tradeState = 'CLOSED';
    return { status: 204, body: undefined };
  }

  async function createRefund(b: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
    const failure = refundFailures.shift();
    if (failure !== undefined) {
      const status =
        failure === 'SYSTEM_ERROR'
          ? 500
          : failure === 'FREQUENCY_LIMITED'
            ? 429
            : failure === 'NOT_ENOUGH' || failure === 'USER_ACCOUNT_ABNORMAL'
              ? 403
              : 400;
      throw new Refusal(status, failure, failure === 'SYSTEM_ERROR' ? '系统错误' : `injected ${failure}`);
    }
    const { out_trade_no: no, transaction_id: txId, out_refund_no: refundNo, reason, notify_url: notifyUrl, amount } = b;
    if (typeof refundNo !== 'string' || !OUT_REFUND_NO.test(refundNo)) throw new Refusal(400, 'PARAM_ERROR', '参数错误：out_refund_no');
    if (reason !== undefined && (typeof reason !== 'string' || [...reason].length > 80))
      throw new Refusal(400, 'PARAM_ERROR', '参数错误：reason');
    if (notifyUrl !== undefined && !isNotifyUrl(notifyUrl)) throw new Refusal(400, 'PARAM_ERROR', '参数错误：notify_url');
    if (!isObject(amount) || !posInt(amount.refund) || !posInt(amount.total) || amount.currency !== 'CNY')
      throw new Refusal(400, 'PARAM_ERROR', '参数错误：amount');
    const order = typeof no === 'string' ? orders.get(no) : typeof txId === 'string' ? orderByTransactionId(txId) : undefined;
    if (!order) throw new Refusal(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
    current(order);
    const requestKey = JSON.stringify([order.outTradeNo, amount.refund, amount.total]);
    const existing = refunds.get(refundNo);
    if (existing) {
      if (existing.requestKey !== requestKey) throw new Refusal(400, 'INVALID_REQUEST', '退款单号重复，且退款参数与原退款单不一致');
      return { status: 200, body: refundWire(existing) };
    }
    if (order.tradeState !== 'SUCCESS' && order.tradeState !== 'REFUND') throw new Refusal(400, 'INVALID_REQUEST', '订单未支付，不能退款');
    if (amount.total !== order.amountFen) throw new Refusal(400, 'PARAM_ERROR', '订单金额与原订单不一致');
    const refunded = [...refunds.values()]
      .filter((r) => r.outTradeNo === order.outTradeNo && r.status !== 'CLOSED')
      .reduce((s, r) => s + r.refundFen, 0);
    if (refunded + amount.refund > order.amountFen) throw new Refusal(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额');
    const refund: FakeRefund = {
      outRefundNo: refundNo,
      refundId: `50${digits(30)}`,
      outTradeNo: order.outTradeNo,
      transactionId: order.transactionId!,
      refundFen: amount.refund,
      totalFen: amount.total,
      ...(reason === undefined ? {} : { reason: reason as string }),
      ...(notifyUrl === undefined ? {} : { notifyUrl }),
      status: 'PROCESSING',
      createTime: clock(),
      endsAs: nextEnd,
      requestKey,
    };
    nextEnd = 'SUCCESS';
    refunds.set(refundNo, refund);
    order.tradeState = 'REFUND';
    if (opts.instantRefunds) {
      // The answer already says SUCCESS; the notification follows, as WeChat's does.
      refund.status = refund.endsAs;
      if (refund.status === 'SUCCESS') refund.successTime = clock();
      const answer = refundWire(refund);
      const p = settle(refund).finally(() => background.delete(p));
      background.add(p);
      return { status: 200, body: answer };
    }
    return { status: 200, body: refundWire(refund) };
  }

  function queryRefund(no: string): { status: number; body: unknown } {
    const r = refunds.get(no);
    if (!r) throw new Refusal(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
    return { status: 200, body: refundWire(r) };
  }

  async function route(method: string, url: URL, body: string): Promise<{ status: number; body: unknown }> {
    const parsed = (): Record<string, unknown> => {
      try {
        const v: unknown = JSON.parse(body);
        if (isObject(v)) return v;
      } catch {
        // fall through
      }
      throw new Refusal(400, 'PARAM_ERROR', '请求体不是 JSON 对象');
    };
    const p = url.pathname;
    const transaction = p.match(/^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/);
    const close = p.match(/^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/);
    const refund = p.match(/^\/v3\/refund\/domestic\/refunds\/([^/]+)$/);
    if (method === 'POST' && p === '/v3/pay/transactions/jsapi') return createJsapi(parsed());
    if (transaction && method === 'GET') {
      if (url.searchParams.get('mchid') !== mchId) throw new Refusal(400, 'PARAM_ERROR', '参数错误：mchid');
      findOrder(decodeURIComponent(transaction[1]!));
      return { status: 200, body: transactionResource(decodeURIComponent(transaction[1]!)) };
    }
    if (close && method === 'POST') return closeOrder(decodeURIComponent(close[1]!), parsed());
    if (method === 'POST' && p === '/v3/refund/domestic/refunds') return createRefund(parsed());
    if (refund && method === 'GET') return queryRefund(decodeURIComponent(refund[1]!));
    throw new Refusal(404, 'NOT_FOUND', 'URL不存在');
  }

  /** Levers for a dev server (curl), unsigned: /__fake/pay/{outTradeNo}, /__fake/deliver-pending, /__fake/settle-refunds, GET /__fake/state. */
  async function control(method: string, url: URL, res: ServerResponse): Promise<void> {
    const json = (status: number, v: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(v));
    };
    try {
      const p = url.pathname.slice('/__fake'.length);
      const m = p.match(/^\/pay\/([^/]+)$/);
      if (method === 'POST' && m) {
        const o = await fake.pay(decodeURIComponent(m[1]!), { notify: url.searchParams.get('notify') !== 'false' });
        return json(200, { order: o, delivery: notifier.deliveries.at(-1) });
      }
      if (method === 'POST' && p === '/deliver-pending') return json(200, await fake.deliverPending());
      if (method === 'POST' && p === '/settle-refunds') return json(200, await fake.settleRefunds());
      if (method === 'GET' && p === '/state')
        return json(200, { orders: [...orders.values()], refunds: [...refunds.values()], notifications: notifier.notifications });
      json(404, { error: 'unknown fake control' });
    } catch (err) {
      json(409, { error: err instanceof Error ? err.message : String(err) });
    }
  }

  function answer(res: ServerResponse, path: string, status: number, payload: unknown, wechatCode?: string): void {
    requests.push({ method: res.req.method ?? '?', path, status, ...(wechatCode ? { wechatCode } : {}) });
    const kind = misbehaviours.shift();
    if (kind === 'hang') return; // the connection stays open until close()
    if (kind === 'http-500') {
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end('<html><body>500 Internal Server Error</body></html>');
      return;
    }
    const text = kind === 'garbage' ? '<html>gateway</html>' : payload === undefined ? '' : JSON.stringify(payload);
    let headers: Record<string, string> = {};
    // Like the real one: no answer signature for a request whose own signature failed.
    if (kind !== 'unsigned' && status !== 401) {
      if (kind === 'bad-signature') forger ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      headers = notifier.sign(text, {
        ...(kind === 'bad-signature' ? { key: forger } : {}),
        ...(kind === 'wrong-serial' ? { serial: 'PUB_KEY_ID_0000000000000000000000000000' } : {}),
        ...(kind === 'stale-timestamp' ? { timestamp: Math.floor(clock().getTime() / 1000) - 600 } : {}),
      });
    }
    res.writeHead(status, {
      ...headers,
      'request-id': randomBytes(16).toString('hex'),
      ...(text === '' ? {} : { 'content-type': 'application/json' }),
    });
    res.end(text);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      void (async () => {
        const rawPath = req.url ?? '/';
        const url = new URL(rawPath, 'http://fake');
        if (url.pathname.startsWith('/__fake/')) return control(req.method ?? 'GET', url, res);
        if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
        const body = Buffer.concat(chunks).toString('utf8');
        try {
          checkMerchantSignature({
            authorization: req.headers.authorization,
            method: req.method ?? 'GET',
            path: rawPath,
            body,
            mchId,
            mchSerialNo,
            merchantPublicKey: merchant.publicKey,
            now: clock(),
          });
          const out = await route(req.method ?? 'GET', url, body);
          answer(res, url.pathname, out.status, out.body);
        } catch (err) {
          if (err instanceof Refusal) return answer(res, url.pathname, err.status, { code: err.code, message: err.message }, err.code);
          answer(res, url.pathname, 500, { code: 'SYSTEM_ERROR', message: '系统错误' }, 'SYSTEM_ERROR');
        }
      })();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const mchPrivateKeyPem = pem(merchant.privateKey, 'pkcs8');
  const platformPublicKeyPem = pem(platform.publicKey, 'spki');
  const platformCertPublicKeyPem = pem(certificate.publicKey, 'spki');

  const fake: FakeWechatPay = {
    url,
    mchId,
    appId,
    mchSerialNo,
    platformSerial,
    apiV3Key,
    platformPublicKeyPem,
    platformCertSerial,
    platformCertPublicKeyPem,
    mchPublicKeyPem: pem(merchant.publicKey, 'spki'),
    config: (notifyUrl) => ({
      mchId,
      appId,
      mchSerialNo,
      mchPrivateKeyPem,
      apiV3Key,
      platformPublicKeyPem,
      platformSerial,
      platformKeys: [{ serial: platformCertSerial, publicKeyPem: platformCertPublicKeyPem }],
      apiBase: url,
      notifyUrl: notifyUrl ?? opts.notifyUrl ?? 'http://localhost:3000/payments/wechat/notify',
      now: clock,
    }),
    orders,
    refunds,
    notifications: notifier.notifications,
    deliveries: notifier.deliveries,
    requests,
    async pay(outTradeNo, payOpts = {}) {
      const o = orders.get(outTradeNo);
      if (!o) throw new Error(`fake wechatpay: no order ${outTradeNo}`);
      const at = payOpts.at ?? clock();
      if (o.tradeState === 'NOTPAY' && o.timeExpire && at.getTime() > o.timeExpire.getTime()) o.tradeState = 'CLOSED';
      if (o.tradeState !== 'NOTPAY') throw new Error(`fake wechatpay: order ${outTradeNo} is ${o.tradeState}, cannot be paid`);
      o.tradeState = 'SUCCESS';
      if (payOpts.totalFen !== undefined) o.amountFen = payOpts.totalFen;
      o.transactionId = `4200${digits(24)}`;
      o.successTime = at;
      const resource = transactionResource(outTradeNo);
      if (payOpts.payerTotalFen !== undefined) (resource.amount as Record<string, unknown>).payer_total = payOpts.payerTotalFen;
      if (payOpts.notify !== false) await notifier.send('TRANSACTION.SUCCESS', resource, notifyTarget(o.notifyUrl));
      return o;
    },
    deliverPending: (o) => notifier.deliverPending(o),
    async settleRefunds() {
      const due = [...refunds.values()].filter((r) => r.status === 'PROCESSING');
      for (const r of due) await settle(r);
      return due;
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    failNextRefunds(n, code = 'SYSTEM_ERROR') {
      for (let i = 0; i < n; i++) refundFailures.push(code);
    },
    abnormalNextRefund() {
      nextEnd = 'ABNORMAL';
    },
    closeNextRefund() {
      nextEnd = 'CLOSED';
    },
    signWith(key) {
      notifier.signingKey = key;
    },
    misbehaveNext(kind, n = 1) {
      for (let i = 0; i < n; i++) misbehaviours.push(kind);
    },
    signNotification: (body, o) => notifier.sign(body, o),
    encrypt: (plaintext, associatedData, nonce) => notifier.encrypt(plaintext, associatedData, nonce),
    buildNotification: (eventType, resource, o) => notifier.build(eventType, resource, o),
    transactionResource,
    refundResource,
    async idle() {
      while (background.size > 0) await Promise.allSettled([...background]);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}
