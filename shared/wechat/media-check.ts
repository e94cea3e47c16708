import type { WechatServerApi } from './client.js';
import { WechatUnreachableError } from './errors.js';
import type { ContentScene } from './msg-sec-check.js';

/**
 * `POST /wxa/media_check_async` v2 (wechat-facts §3): WeChat downloads `mediaUrl` and pushes its
 * verdict to the 消息推送 URL within 30 minutes, matched by the `trace_id` answered here. Not
 * retried: a second call would be a second check with another trace id (the caller retries the
 * whole attach, which is idempotent).
 */
export async function mediaCheckAsync(
  api: WechatServerApi,
  input: { mediaUrl: string; scene: ContentScene; openid: string },
): Promise<{ traceId: string }> {
  const out = await api.post(
    '/wxa/media_check_async',
    { media_url: input.mediaUrl, media_type: 2, version: 2, scene: input.scene, openid: input.openid },
    { idempotent: false },
  );
  if (typeof out.trace_id !== 'string' || out.trace_id === '') {
    throw new WechatUnreachableError('WeChat answered media_check_async without a trace_id');
  }
  return { traceId: out.trace_id };
}
