import type { WechatSettings } from '../auth/index.js';
import { DEFAULT_WECHAT_TIMEOUT_MS } from '../auth/index.js';
import { WechatTimeoutError, WechatUnreachableError } from './errors.js';

/** A WeChat answer: a JSON object whose `errcode` (0 when absent) says whether it worked. */
export type WechatAnswer = Record<string, unknown> & { errcode: number; errmsg?: string };

/** Bytes WeChat answered instead of JSON (a 小程序码), with the type they really are (see imageType). */
export interface WechatImage {
  readonly bytes: Uint8Array;
  readonly contentType: 'image/png' | 'image/jpeg';
}

/** The raw answer: HTTP 200 (anything else is WechatUnreachableError), its Content-Type and body. */
async function postRaw(
  settings: WechatSettings,
  path: string,
  query: Record<string, string>,
  body: unknown,
): Promise<{ contentType: string; bytes: Uint8Array }> {
  const url = new URL(path, settings.apiBase);
  url.search = new URLSearchParams(query).toString();
  const doFetch = settings.fetch ?? fetch;
  try {
    const res = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(settings.timeoutMs ?? DEFAULT_WECHAT_TIMEOUT_MS),
    });
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (res.status !== 200) throw new WechatUnreachableError(`WeChat answered HTTP ${res.status} to ${path}`);
    return { contentType: res.headers.get('content-type') ?? '', bytes };
  } catch (err) {
    if (err instanceof WechatUnreachableError) throw err;
    const timeout = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    if (timeout) throw new WechatTimeoutError(`WeChat did not answer ${path} in time`);
    throw new WechatUnreachableError(`WeChat could not be reached for ${path}`);
  }
}

function parseAnswer(path: string, text: string): WechatAnswer {
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
  const raw = await postRaw(settings, path, query, body);
  return parseAnswer(path, new TextDecoder().decode(raw.bytes));
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const startsWith = (bytes: Uint8Array, magic: readonly number[]) => magic.every((b, i) => bytes[i] === b);

/**
 * What image bytes are, read from their first bytes: WeChat labels a 小程序码 `image/jpeg` whatever
 * it holds (wechat-facts.md §5), and a browser or wx.previewImage trusts the type we pass on.
 */
export function imageType(bytes: Uint8Array): WechatImage['contentType'] | null {
  if (startsWith(bytes, PNG_MAGIC)) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  return null;
}

/**
 * The same POST for calls that answer an image on success and JSON on failure (wxacode): the
 * Content-Type says which. Image bytes that are no image we know are WechatUnreachableError,
 * never passed on to a member's phone.
 */
export async function postWechatForImage(
  settings: WechatSettings,
  path: string,
  query: Record<string, string>,
  body: unknown,
): Promise<WechatImage | WechatAnswer> {
  const raw = await postRaw(settings, path, query, body);
  if (!/^image\//i.test(raw.contentType)) return parseAnswer(path, new TextDecoder().decode(raw.bytes));
  const contentType = imageType(raw.bytes);
  if (!contentType) throw new WechatUnreachableError(`WeChat answered ${path} with image bytes that are neither PNG nor JPEG`);
  return { bytes: raw.bytes, contentType };
}
