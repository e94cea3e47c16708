import type { z } from 'zod';
import { DEFAULT_WECHATPAY_TIMEOUT_MS, type WechatPayConfig } from './config.js';
import {
  NOT_FOUND_CODES,
  WechatPayBadResponseError,
  WechatPayError,
  WechatPayNotFoundError,
  WechatPaySignatureError,
  WechatPayUnavailableError,
} from './errors.js';
import { ErrorWire, PrepayWire, type Refund, RefundWire, type Transaction, TransactionWire, toRefund, toTransaction } from './resources.js';
import { authorizationHeader } from './signing.js';
import { toWechatTime } from './time.js';
import { verifyWechatpaySignature, wechatpayHeaders } from './verify.js';

export interface JsapiOrder {
  /** our order id: 6–32 of [A-Za-z0-9_-|*], unique per merchant */
  outTradeNo: string;
  /** shown to the member in WeChat (商品描述), at most 127 characters */
  description: string;
  amountFen: number;
  payerOpenid: string;
  /** after this the order cannot be paid; send the same value on a retry (it is compared) */
  timeExpire: Date;
  /** echoed back in queries and notifications, at most 128 characters */
  attach?: string;
}

export interface RefundRequest {
  outTradeNo: string;
  outRefundNo: string;
  refundFen: number;
  totalFen: number;
  reason?: string;
}

export interface WechatPayClient {
  /** 200 with the same prepay_id when the identical order is created again, so a retry is safe. */
  createJsapiOrder(o: JsapiOrder): Promise<{ prepayId: string }>;
  queryOrder(outTradeNo: string): Promise<Transaction>;
  closeOrder(outTradeNo: string): Promise<void>;
  refund(r: RefundRequest): Promise<Refund>;
  queryRefund(outRefundNo: string): Promise<Refund>;
}

/** What may be logged about a failed call: method, path (ids only), status, WeChat's code. Never headers or bodies. */
export type WechatPayFailureLog = (fields: { method: string; path: string; status?: number; wechatCode?: string; reason: string }) => void;

/**
 * WeChat Pay APIv3 for one merchant. Every request is signed with the merchant key; every answer,
 * errors included, must carry a valid platform signature before anything in it is believed. The
 * exceptions only ever make a call fail: 5xx and 429 (retry later, whoever sent them) and the
 * unsigned 401 WeChat gives a request it could not authenticate.
 */
export function createWechatPayClient(cfg: WechatPayConfig, onFailure: WechatPayFailureLog = () => {}): WechatPayClient {
  const doFetch = cfg.fetch ?? fetch;
  const now = cfg.now ?? (() => new Date());

  async function call<T>(
    method: 'GET' | 'POST',
    pathWithQuery: string,
    payload: object | undefined,
    schema: z.ZodType<T> | null,
  ): Promise<T | undefined> {
    const url = new URL(pathWithQuery, cfg.apiBase);
    const signedPath = url.pathname + url.search;
    const body = payload === undefined ? '' : JSON.stringify(payload);
    const logPath = url.pathname;
    let res: Response;
    let text: string;
    try {
      res = await doFetch(url, {
        method,
        headers: {
          authorization: authorizationHeader(cfg, method, signedPath, body, undefined, Math.floor(now().getTime() / 1000)),
          accept: 'application/json',
          'user-agent': 'tuangou-api wechatpay-v3',
          // 公钥模式: names the platform key we verify with, as the docs ask.
          'wechatpay-serial': cfg.platformSerial,
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(payload === undefined ? {} : { body }),
        // WeChat Pay never redirects; following one would send the signed request elsewhere.
        redirect: 'error',
        signal: AbortSignal.timeout(cfg.timeoutMs ?? DEFAULT_WECHATPAY_TIMEOUT_MS),
      });
      text = await res.text();
    } catch (err) {
      const reason = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError') ? 'timeout' : 'network';
      onFailure({ method, path: logPath, reason });
      throw new WechatPayUnavailableError(
        reason === 'timeout' ? 'WeChat Pay did not answer in time; query before retrying' : 'WeChat Pay could not be reached; retry',
      );
    }
    // 5xx and 429 only ever mean "retry later", whoever sent them: nothing in them needs trusting.
    if (res.status >= 500 || res.status === 429) {
      const wechatCode = errorCodeOf(text);
      onFailure({ method, path: logPath, status: res.status, wechatCode, reason: res.status === 429 ? 'rate limited' : 'server error' });
      throw new WechatPayUnavailableError(
        res.status === 429 ? 'WeChat Pay rate-limits us; retry later' : `WeChat Pay answered HTTP ${res.status}; retry`,
        wechatCode,
      );
    }
    // WeChat signs its answer only once it has verified our request; a 401 (SIGN_ERROR) comes
    // unsigned. Believing an unsigned 401 costs nothing: it can only make us fail.
    if (res.status === 401 && !res.headers.has('wechatpay-signature')) {
      const wechatCode = errorCodeOf(text) ?? 'SIGN_ERROR';
      onFailure({ method, path: logPath, status: 401, wechatCode, reason: 'our request signature was refused' });
      throw new WechatPayError(`WeChat Pay refused our request signature (${wechatCode})`, wechatCode, 401);
    }
    try {
      verifyWechatpaySignature(cfg, wechatpayHeaders(res.headers), text, now());
    } catch (err) {
      if (!(err instanceof WechatPaySignatureError)) throw err;
      onFailure({ method, path: logPath, status: res.status, reason: `answer signature: ${err.message}` });
      throw new WechatPayBadResponseError("WeChat Pay's answer failed signature verification", 'INVALID_RESPONSE_SIGNATURE');
    }
    if (res.status >= 400) {
      const parsed = ErrorWire.safeParse(safeJson(text));
      const wechatCode = parsed.success ? parsed.data.code : `HTTP_${res.status}`;
      const providerMessage = parsed.success ? parsed.data.message?.slice(0, 200) : undefined;
      onFailure({ method, path: logPath, status: res.status, wechatCode, reason: 'refused' });
      if (NOT_FOUND_CODES.has(wechatCode))
        throw new WechatPayNotFoundError(`WeChat Pay has no such ${logPath.includes('/refund') ? 'refund' : 'order'}`, wechatCode);
      throw new WechatPayError(`WeChat Pay refused the request (${wechatCode})`, wechatCode, res.status, providerMessage);
    }
    if (schema === null) return undefined;
    const parsed = schema.safeParse(safeJson(text));
    if (!parsed.success) {
      onFailure({ method, path: logPath, status: res.status, reason: 'unexpected answer shape' });
      throw new WechatPayBadResponseError('WeChat Pay answered something that is not the documented JSON', 'UNEXPECTED_ANSWER');
    }
    return parsed.data;
  }

  const tradePath = (outTradeNo: string) => `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}`;

  return {
    async createJsapiOrder(o) {
      const answer = await call(
        'POST',
        '/v3/pay/transactions/jsapi',
        {
          appid: cfg.appId,
          mchid: cfg.mchId,
          description: o.description,
          out_trade_no: o.outTradeNo,
          time_expire: toWechatTime(o.timeExpire),
          ...(o.attach === undefined ? {} : { attach: o.attach }),
          notify_url: cfg.notifyUrl,
          amount: { total: o.amountFen, currency: 'CNY' },
          payer: { openid: o.payerOpenid },
        },
        PrepayWire,
      );
      return { prepayId: answer!.prepay_id };
    },

    async queryOrder(outTradeNo) {
      const tx = (await call('GET', `${tradePath(outTradeNo)}?mchid=${encodeURIComponent(cfg.mchId)}`, undefined, TransactionWire))!;
      // Signed by WeChat, but a mix-up of merchants or orders must not mark the wrong order paid.
      if ((tx.mchid !== undefined && tx.mchid !== cfg.mchId) || tx.out_trade_no !== outTradeNo) {
        throw new WechatPayBadResponseError('WeChat Pay answered about another order', 'ORDER_MISMATCH');
      }
      return toTransaction(tx);
    },

    async closeOrder(outTradeNo) {
      await call('POST', `${tradePath(outTradeNo)}/close`, { mchid: cfg.mchId }, null);
    },

    async refund(r) {
      const w = (await call(
        'POST',
        '/v3/refund/domestic/refunds',
        {
          out_trade_no: r.outTradeNo,
          out_refund_no: r.outRefundNo,
          ...(r.reason === undefined ? {} : { reason: r.reason }),
          notify_url: cfg.notifyUrl,
          amount: { refund: r.refundFen, total: r.totalFen, currency: 'CNY' },
        },
        RefundWire,
      ))!;
      if (w.out_refund_no !== r.outRefundNo)
        throw new WechatPayBadResponseError('WeChat Pay answered about another refund', 'REFUND_MISMATCH');
      return toRefund(w);
    },

    async queryRefund(outRefundNo) {
      const w = (await call('GET', `/v3/refund/domestic/refunds/${encodeURIComponent(outRefundNo)}`, undefined, RefundWire))!;
      if (w.out_refund_no !== outRefundNo)
        throw new WechatPayBadResponseError('WeChat Pay answered about another refund', 'REFUND_MISMATCH');
      return toRefund(w);
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** WeChat's `code` from an error body, if it is one (not trusted: for logs and unsigned refusals). */
function errorCodeOf(text: string): string | undefined {
  const parsed = ErrorWire.safeParse(safeJson(text));
  return parsed.success ? parsed.data.code.slice(0, 64) : undefined;
}
