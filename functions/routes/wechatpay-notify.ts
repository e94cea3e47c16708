import { createRoute, z } from '@hono/zod-openapi';
import type { PaymentsContext } from '../../shared/money/index.js';
import {
  NOTIFY_ACK,
  parseNotification,
  recordPayment,
  recordRefundNotice,
  WechatPayDecryptError,
  WechatPayNotificationError,
  WechatPaySignatureError,
  WechatPayUnsupportedEventError,
} from '../../shared/money/index.js';
import { noBearer } from '../schemas/common.js';
import { newRouter } from '../validation.js';

const FailSchema = z.object({ code: z.literal('FAIL'), message: z.string() }).openapi('WechatPayNotifyFail');

const notifyRoute = createRoute({
  method: 'post',
  path: '/payments/wechat/notify',
  tags: ['Payments'],
  security: noBearer,
  summary: 'WeChat Pay notifications (payments and refunds): called by WeChat Pay, not by clients',
  description:
    'The body is verified against the platform signature (Wechatpay-Signature, -Timestamp within 5 minutes, -Nonce, -Serial) and its resource decrypted with the APIv3 key. ' +
    'Answers 204 once the event is recorded (also for a repeat: each payment and refund counts once); 401 for a bad or stale signature, 400 for an unreadable body, 500 when recording failed, so WeChat Pay retries.',
  responses: {
    204: { description: 'Recorded (or already recorded)' },
    400: { description: 'Unreadable notification', content: { 'application/json': { schema: FailSchema } } },
    401: { description: 'Signature missing, stale or wrong', content: { 'application/json': { schema: FailSchema } } },
    500: { description: 'Could not record it now; WeChat Pay retries', content: { 'application/json': { schema: FailSchema } } },
  },
});

/**
 * POST /payments/wechat/notify. The signature covers the exact bytes, so the raw text is read,
 * never a re-serialized JSON. Payments and refunds are recorded idempotently (by transaction id and
 * out_refund_no), so WeChat's retries are harmless.
 */
export function wechatPayNotifyRoutes(ctx: PaymentsContext) {
  return newRouter().openapi(notifyRoute, async (c) => {
    const raw = await c.req.text();
    const fail = (message: string, status: 400 | 401 | 500) => {
      const ack = NOTIFY_ACK.failure(message, status);
      return c.body(ack.body, ack.status, ack.headers) as never;
    };
    let notification: ReturnType<typeof parseNotification>;
    try {
      notification = parseNotification(ctx.config, c.req.raw.headers, raw, ctx.db.clock.now());
    } catch (err) {
      if (err instanceof WechatPayUnsupportedEventError) {
        ctx.logger.info('wechat pay notification of an event we do not handle, acknowledged', { reason: err.message });
        return c.body(null, 204);
      }
      if (err instanceof WechatPaySignatureError) {
        ctx.logger.warn('wechat pay notification refused: signature', { reason: err.message });
        return fail('signature verification failed', 401);
      }
      if (err instanceof WechatPayDecryptError || err instanceof WechatPayNotificationError) {
        ctx.logger.warn('wechat pay notification refused: body', { reason: err.message });
        return fail('unreadable notification', 400);
      }
      throw err;
    }
    try {
      if (notification.eventType === 'TRANSACTION.SUCCESS') {
        const outcome = await recordPayment(ctx, notification.transaction);
        ctx.logger.info('wechat pay payment notified', { outTradeNo: notification.transaction.outTradeNo, outcome });
      } else {
        await recordRefundNotice(ctx, notification.eventType, notification.refund);
      }
    } catch (err) {
      ctx.logger.error('wechat pay notification could not be recorded', { id: notification.id, err });
      return fail('could not record the notification now', 500);
    }
    return c.body(null, 204);
  });
}
