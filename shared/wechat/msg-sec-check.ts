import type { WechatServerApi } from './client.js';
import { WechatUnreachableError } from './errors.js';

/** msgSecCheck's `scene`: 1 资料 (profile), 2 评论 (comment), 3 论坛 (forum), 4 社交日志 (social log). */
export const CONTENT_SCENES = { profile: 1, comment: 2, forum: 3, socialLog: 4 } as const;
export type ContentScene = (typeof CONTENT_SCENES)[keyof typeof CONTENT_SCENES];

export type Suggest = 'pass' | 'review' | 'risky';

export interface TextVerdict {
  suggest: Suggest;
  /** 100 正常, 10001 广告, 20001 时政, 20002 色情, … (wechat-facts §2) */
  label: number;
  traceId?: string;
}

/**
 * `POST /wxa/msg_sec_check` v2. It answers errcode 0 for violating text too: the verdict is
 * `result.suggest`. A check has no side effect, so it is retried when WeChat was unreachable.
 */
export async function msgSecCheck(
  api: WechatServerApi,
  input: { content: string; scene: ContentScene; openid: string },
): Promise<TextVerdict> {
  const out = await api.post(
    '/wxa/msg_sec_check',
    { content: input.content, version: 2, scene: input.scene, openid: input.openid },
    { idempotent: true },
  );
  const result = out.result as { suggest?: unknown; label?: unknown } | undefined;
  const suggest = result?.suggest;
  if (suggest !== 'pass' && suggest !== 'review' && suggest !== 'risky') {
    throw new WechatUnreachableError('WeChat answered msg_sec_check without a verdict');
  }
  return {
    suggest,
    label: Number(result?.label ?? 0),
    ...(typeof out.trace_id === 'string' ? { traceId: out.trace_id } : {}),
  };
}
