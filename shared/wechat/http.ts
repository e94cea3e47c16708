import type { WechatSettings } from '../auth/index.js';
import { DEFAULT_WECHAT_TIMEOUT_MS } from '../auth/index.js';
import { WechatTimeoutError, WechatUnreachableError } from './errors.js';

/** A WeChat answer: a JSON object whose `errcode` (0 when absent) says whether it worked. */
export type WechatAnswer = Record<string, unknown> & { errcode: number; errmsg?: string };

/**
 * `POST {apiBase}{path}?{query}` with a JSON body, under the settings' timeout. The URL may carry
 * the access token and the body the AppSecret, so failures name their kind only, never the request.
 */
export async function postWechat(
  settings: WechatSettings,
  path: string,
  query: Record<string, string>,
  body: unknown,
): Promise<WechatAnswer> {
  const url = new URL(path, settings.apiBase);
  url.search = new URLSearchParams(query).toString();
  const doFetch = settings.fetch ?? fetch;
  let status: number;
  let text: string;
  try {
    const res = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(settings.timeoutMs ?? DEFAULT_WECHAT_TIMEOUT_MS),
    });
    status = res.status;
    text = await res.text();
  } catch (err) {
    const timeout = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    if (timeout) throw new WechatTimeoutError(`WeChat did not answer ${path} in time`);
    throw new WechatUnreachableError(`WeChat could not be reached for ${path}`);
  }
  if (status !== 200) throw new WechatUnreachableError(`WeChat answered HTTP ${status} to ${path}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new WechatUnreachableError(`WeChat answered ${path} with something that is not a JSON object`);
  }
  const answer = parsed as Record<string, unknown>;
  const errcode = answer.errcode === undefined || answer.errcode === null ? 0 : Number(answer.errcode);
  if (!Number.isInteger(errcode)) throw new WechatUnreachableError(`WeChat answered ${path} with a non-numeric errcode`);
  return { ...answer, errcode, ...(typeof answer.errmsg === 'string' ? { errmsg: answer.errmsg.slice(0, 200) } : {}) };
}
