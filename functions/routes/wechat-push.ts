import { createRoute, z } from '@hono/zod-openapi';
import { ForbiddenError, ValidationError } from '../../shared/errors.js';
import { recordMediaCheck } from '../../shared/images/index.js';
import { type PushSettings, readPush, verifyPushQuery } from '../../shared/wechat/index.js';
import type { AppDeps } from '../env.js';
import { errors, noBearer } from '../schemas/common.js';
import { newRouter } from '../validation.js';

const PushQuery = z.object({
  signature: z.string().max(64).optional(),
  timestamp: z.string().max(16).optional(),
  nonce: z.string().max(64).optional(),
  echostr: z.string().max(256).optional(),
  encrypt_type: z.string().max(16).optional(),
  msg_signature: z.string().max(64).optional(),
  openid: z.string().max(64).optional(),
});

const verifyRoute = createRoute({
  method: 'get',
  path: '/wechat/push',
  tags: ['WeChat'],
  security: noBearer,
  summary: '消息推送 URL check: WeChat’s GET when the URL is saved in 小程序后台 (answers echostr)',
  request: { query: PushQuery },
  responses: {
    200: { description: 'echostr, as text', content: { 'text/plain': { schema: z.string() } } },
    403: errors[403],
  },
});

const pushRoute = createRoute({
  method: 'post',
  path: '/wechat/push',
  tags: ['WeChat'],
  security: noBearer,
  summary: '消息推送 from WeChat: the image check’s verdict (wxa_media_check), plain or 安全 mode, JSON or XML',
  description:
    'Signed by WeChat with the Token (WECHAT_PUSH_TOKEN); a stale or unsigned push is 403. A wxa_media_check verdict is written to the photo it is of; any other event is acknowledged. Answers `success`.',
  request: { query: PushQuery },
  responses: {
    200: { description: '`success`', content: { 'text/plain': { schema: z.string() } } },
    400: errors[400],
    403: errors[403],
  },
});

export function wechatPushRoutes(deps: AppDeps, settings: PushSettings) {
  const { db } = deps;
  return newRouter()
    .openapi(verifyRoute, (c) => {
      const query = c.req.valid('query');
      if (!verifyPushQuery(settings, query, db.clock.now())) throw new ForbiddenError('The push signature does not match');
      return c.text(query.echostr ?? '', 200);
    })
    .openapi(pushRoute, async (c) => {
      const query = c.req.valid('query');
      if (!verifyPushQuery(settings, query, db.clock.now())) throw new ForbiddenError('The push signature does not match');
      const xml = (c.req.header('content-type') ?? '').includes('xml');
      const reading = readPush(settings, query, await c.req.text(), xml);
      if (reading.kind === 'refused') {
        // A forged encrypted body or another AppID's push is refused; a malformed one is WeChat's bug: 400, logged.
        deps.logger.warn('wechat push refused', { requestId: c.get('requestId'), reason: reading.reason });
        if (/signature|AppID|decrypt/.test(reading.reason)) throw new ForbiddenError(`Push refused: ${reading.reason}`);
        throw new ValidationError(`Push refused: ${reading.reason}`);
      }
      if (reading.kind === 'media-check') {
        const outcome = await recordMediaCheck(db, reading.check);
        deps.logger.info('image check verdict', {
          requestId: c.get('requestId'),
          traceId: reading.check.traceId,
          result: reading.check.result,
          outcome,
        });
      }
      return c.text('success', 200);
    });
}
