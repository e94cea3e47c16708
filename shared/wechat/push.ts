import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';

/**
 * WeChat's 消息推送 (wechat-facts §7): the URL check (GET with echostr), signed pushes in plain
 * (明文) or secure (安全/兼容, AES) mode, JSON or XML. What the API needs from them today is the
 * image check's verdict (`wxa_media_check`), in its v2 or v1 shape.
 */
export interface PushSettings {
  /** the Token set in 小程序后台 消息推送配置 */
  token: string;
  /** the 43-character EncodingAESKey, for 安全/兼容 mode */
  encodingAesKey?: string;
  appId: string;
}

export interface PushQuery {
  signature?: string;
  timestamp?: string;
  nonce?: string;
  echostr?: string;
  encrypt_type?: string;
  msg_signature?: string;
}

/** WeChat's image verdict for one trace id. `failed`: WeChat could not download the file. */
export interface MediaCheckResult {
  traceId: string;
  result: 'pass' | 'review' | 'risky' | 'failed';
  label?: number;
}

const sha1 = (parts: string[]) =>
  createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `signature = sha1(sort([Token, timestamp, nonce]).join(""))`. */
export function pushSignature(token: string, timestamp: string, nonce: string, encrypt?: string): string {
  return sha1(encrypt === undefined ? [token, timestamp, nonce] : [token, timestamp, nonce, encrypt]);
}

/** How old a push's timestamp may be: a captured URL cannot be replayed later (WeChat retries within seconds). */
export const PUSH_MAX_AGE_SECONDS = 5 * 60;

/** True when the query carries a valid signature of a fresh timestamp. */
export function verifyPushQuery(settings: PushSettings, query: PushQuery, now: Date): boolean {
  const { signature, timestamp, nonce } = query;
  if (!signature || !timestamp || !nonce || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > PUSH_MAX_AGE_SECONDS) return false;
  return sameHex(signature, pushSignature(settings.token, timestamp, nonce));
}

/** One flat XML element's text (CDATA or plain) inside `xml`, or undefined. */
function xmlText(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>\\s*(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))\\s*</${tag}>`).exec(xml);
  return m ? (m[1] ?? m[2] ?? '').trim() : undefined;
}

/** A push body as key → value for the fields we read, from JSON or XML (`Content-Type: text/xml` means XML). */
type PushFields = {
  Encrypt?: string;
  Event?: string;
  appid?: string;
  trace_id?: string;
  suggest?: string;
  label?: string;
  isrisky?: string;
  status_code?: string;
};

function fieldsOf(body: string, xml: boolean): PushFields | null {
  if (xml) {
    const result = /<result>([\s\S]*?)<\/result>/.exec(body)?.[1];
    const out: PushFields = {};
    for (const key of ['Encrypt', 'Event', 'appid', 'trace_id', 'isrisky', 'status_code'] as const) {
      const v = xmlText(body, key);
      if (v !== undefined) out[key] = v;
    }
    if (result) {
      const suggest = xmlText(result, 'suggest');
      const label = xmlText(result, 'label');
      if (suggest !== undefined) out.suggest = suggest;
      if (label !== undefined) out.label = label;
    }
    return out;
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (typeof json !== 'object' || json === null) return null;
  const result = (json.result ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
  const out: PushFields = {};
  const pairs: Array<[keyof PushFields, unknown]> = [
    ['Encrypt', json.Encrypt],
    ['Event', json.Event],
    ['appid', json.appid],
    ['trace_id', json.trace_id],
    ['suggest', result.suggest],
    ['label', result.label],
    ['isrisky', json.isrisky],
    ['status_code', json.status_code],
  ];
  for (const [k, v] of pairs) {
    const s = str(v);
    if (s !== undefined) out[k] = s;
  }
  return out;
}

/** AES-256-CBC with IV = key[0..16], PKCS#7 to 32; plaintext = random(16) + len(4) + message + appid. */
export function decryptPush(encodingAesKey: string, encrypted: string): { message: string; appId: string } | null {
  try {
    const key = Buffer.from(`${encodingAesKey}=`, 'base64');
    if (key.length !== 32) return null;
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    const padded = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]);
    const pad = padded[padded.length - 1]!;
    if (pad < 1 || pad > 32) return null;
    const plain = padded.subarray(0, padded.length - pad);
    const length = plain.readUInt32BE(16);
    return { message: plain.subarray(20, 20 + length).toString('utf8'), appId: plain.subarray(20 + length).toString('utf8') };
  } catch {
    return null;
  }
}

export type PushReading =
  | { kind: 'media-check'; check: MediaCheckResult }
  /** another event: acknowledged, nothing to do */
  | { kind: 'other'; event: string | null }
  | { kind: 'refused'; reason: string };

/** Verify (the URL signature already checked), decrypt when encrypted, and read one push. */
export function readPush(settings: PushSettings, query: PushQuery, body: string, xml: boolean): PushReading {
  let fields = fieldsOf(body, xml);
  if (!fields) return { kind: 'refused', reason: 'body is neither JSON nor XML' };
  if (query.encrypt_type === 'aes' || fields.Encrypt !== undefined) {
    const encrypted = fields.Encrypt;
    if (!settings.encodingAesKey) return { kind: 'refused', reason: 'an encrypted push, but no EncodingAESKey is configured' };
    if (!encrypted || !query.msg_signature || !query.timestamp || !query.nonce)
      return { kind: 'refused', reason: 'encrypted push without Encrypt or msg_signature' };
    if (!sameHex(query.msg_signature, pushSignature(settings.token, query.timestamp, query.nonce, encrypted))) {
      return { kind: 'refused', reason: 'msg_signature does not match' };
    }
    const plain = decryptPush(settings.encodingAesKey, encrypted);
    if (!plain) return { kind: 'refused', reason: 'could not decrypt' };
    if (plain.appId !== settings.appId) return { kind: 'refused', reason: 'push for another AppID' };
    fields = fieldsOf(plain.message, plain.message.trimStart().startsWith('<'));
    if (!fields) return { kind: 'refused', reason: 'decrypted body is neither JSON nor XML' };
  }
  if (fields.Event !== 'wxa_media_check') return { kind: 'other', event: fields.Event ?? null };
  if (fields.appid && fields.appid !== settings.appId) return { kind: 'refused', reason: 'push for another AppID' };
  const traceId = fields.trace_id;
  if (!traceId) return { kind: 'refused', reason: 'wxa_media_check without trace_id' };
  // v2: result.suggest. v1: isrisky 0/1, and status_code −1008 when the file could not be downloaded.
  if (fields.suggest === 'pass' || fields.suggest === 'review' || fields.suggest === 'risky') {
    return { kind: 'media-check', check: { traceId, result: fields.suggest, ...(fields.label ? { label: Number(fields.label) } : {}) } };
  }
  if (fields.status_code !== undefined && Number(fields.status_code) !== 0)
    return { kind: 'media-check', check: { traceId, result: 'failed' } };
  if (fields.isrisky === '1') return { kind: 'media-check', check: { traceId, result: 'risky' } };
  if (fields.isrisky === '0') return { kind: 'media-check', check: { traceId, result: 'pass' } };
  return { kind: 'refused', reason: 'wxa_media_check without a verdict' };
}
