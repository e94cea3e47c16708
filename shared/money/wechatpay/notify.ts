import { z } from 'zod';
import type { WechatPayConfig } from './config.js';
import { decryptResource, RESOURCE_ALGORITHM } from './decrypt.js';
import { WechatPayNotificationError, WechatPayUnsupportedEventError } from './errors.js';
import { type RefundNotice, RefundNoticeWire, type Transaction, TransactionWire, toRefundNotice, toTransaction } from './resources.js';
import { verifyWechatpaySignature, wechatpayHeaders } from './verify.js';

export type WechatPayNotification =
  | { eventType: 'TRANSACTION.SUCCESS'; id: string; transaction: Transaction }
  | { eventType: 'REFUND.SUCCESS' | 'REFUND.ABNORMAL' | 'REFUND.CLOSED'; id: string; refund: RefundNotice };

export const NOTIFICATION_EVENT_TYPES = ['TRANSACTION.SUCCESS', 'REFUND.SUCCESS', 'REFUND.ABNORMAL', 'REFUND.CLOSED'] as const;

/** The envelope WeChat POSTs; only `resource` is encrypted. */
export const NotificationEnvelope = z.looseObject({
  id: z.string().min(1),
  create_time: z.string().optional(),
  event_type: z.string().min(1),
  resource_type: z.literal('encrypt-resource'),
  summary: z.string().optional(),
  resource: z.looseObject({
    original_type: z.string().optional(),
    algorithm: z.literal(RESOURCE_ALGORITHM),
    ciphertext: z.string().min(1),
    associated_data: z.string().optional(),
    nonce: z.string().min(1),
  }),
});

/**
 * A notification POSTed to our notify_url, in the order that keeps forgeries cheap to refuse:
 * the signature over the raw body first (401 on failure: nothing else is read), then the AES-GCM
 * resource (tampering fails its tag), then the resource's shape, and finally that it is for our
 * merchant (and, for payments, our AppID). `id` is WeChat's notification id: the same payment
 * may be notified several times (retries), so handle it idempotently by out_trade_no.
 */
export function parseNotification(
  cfg: Pick<WechatPayConfig, 'mchId' | 'appId' | 'apiV3Key' | 'platformPublicKeyPem' | 'platformSerial' | 'platformKeys'>,
  headers: Headers | Record<string, string | undefined>,
  rawBody: string,
  now: Date,
): WechatPayNotification {
  verifyWechatpaySignature(cfg, wechatpayHeaders(headers), rawBody, now);
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    throw new WechatPayNotificationError('The notification body is not JSON');
  }
  const envelope = NotificationEnvelope.safeParse(json);
  if (!envelope.success) throw new WechatPayNotificationError('The notification envelope is not the documented shape');
  const { id, event_type: eventType, resource } = envelope.data;
  const plaintext = decryptResource(cfg.apiV3Key, resource);
  let inner: unknown;
  try {
    inner = JSON.parse(plaintext);
  } catch {
    throw new WechatPayNotificationError('The decrypted resource is not JSON');
  }
  switch (eventType) {
    case 'TRANSACTION.SUCCESS': {
      const tx = TransactionWire.safeParse(inner);
      if (!tx.success || tx.data.trade_state !== 'SUCCESS' || !tx.data.transaction_id)
        throw new WechatPayNotificationError('The payment resource is not the documented shape');
      if (tx.data.mchid !== cfg.mchId || tx.data.appid !== cfg.appId)
        throw new WechatPayNotificationError('The payment is for another merchant or AppID');
      return { eventType, id, transaction: toTransaction(tx.data) };
    }
    case 'REFUND.SUCCESS':
    case 'REFUND.ABNORMAL':
    case 'REFUND.CLOSED': {
      const refund = RefundNoticeWire.safeParse(inner);
      if (!refund.success) throw new WechatPayNotificationError('The refund resource is not the documented shape');
      if (refund.data.mchid !== cfg.mchId) throw new WechatPayNotificationError('The refund is for another merchant');
      return { eventType, id, refund: toRefundNotice(refund.data) };
    }
    default:
      throw new WechatPayUnsupportedEventError(`Unsupported event_type ${eventType.slice(0, 40)}`);
  }
}

/**
 * How to answer WeChat (per the v3 notification docs): success is HTTP 200 or 204 with no body;
 * failure is a 4xx/5xx with `{"code":"FAIL","message":"…"}`, after which WeChat retries on its
 * schedule (15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h, 24h4m in all). Answer FAIL
 * only when retrying can help (our storage failed) or for a forgery; acknowledge duplicates.
 */
export const NOTIFY_ACK = {
  success: { status: 204 } as const,
  failure: (message: string, status: 400 | 401 | 500 | 503 = 500) =>
    ({
      status,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'FAIL', message: message.slice(0, 200) }),
    }) as const,
};

/** WeChat's documented redelivery delays in seconds, after the first attempt. */
export const NOTIFY_RETRY_SCHEDULE_SECONDS: readonly number[] = [
  15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600,
];
