import { createCipheriv, randomBytes } from 'node:crypto';
import { pushSignature } from '../push.js';

/**
 * The fake's half of the image check: `POST /wxa/media_check_async` is recorded with a trace id,
 * and `deliver()` does what WeChat does within 30 minutes: download the file, judge it, and push
 * the verdict to the 消息推送 URL, signed with the Token (and encrypted in 安全 mode). The verdict
 * is read from the bytes: a file containing `[risky]` or `[review]` gets that suggest, any other
 * passes; a file WeChat cannot download gets the v1 shape with status_code −1008.
 */
export const MEDIA_MARKERS = { risky: '[risky]', review: '[review]' } as const;

export interface PushTarget {
  url: string;
  token: string;
  /** 安全 mode: the body is `{ToUserName, Encrypt}` and the URL carries msg_signature */
  encodingAesKey?: string;
}

export interface MediaCheckRequest {
  traceId: string;
  mediaUrl: string;
  openid: string;
  scene: number;
  /** the push we made and the answer we got, once delivered */
  delivered?: { status: number; body: string; suggest: string };
}

export function encryptPush(encodingAesKey: string, appId: string, message: string): string {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([randomBytes(16), length, body, Buffer.from(appId, 'utf8')]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}

export class FakeMediaChecks {
  readonly requests: MediaCheckRequest[] = [];
  /** where verdicts are pushed (the API's POST /wechat/push); null: they wait */
  target: PushTarget | null = null;

  constructor(private readonly appId: string) {}

  record(input: Omit<MediaCheckRequest, 'traceId' | 'delivered'>): string {
    const traceId = `fake-trace-${randomBytes(8).toString('hex')}`;
    this.requests.push({ ...input, traceId });
    return traceId;
  }

  /** Judge and push every check not pushed yet; resolves to how many were pushed. */
  async deliver(): Promise<number> {
    const target = this.target;
    if (!target) throw new Error('FakeMediaChecks: no push target set');
    const waiting = this.requests.filter((r) => !r.delivered);
    for (const request of waiting) {
      const verdict = await this.judge(request.mediaUrl);
      const event =
        verdict === 'unreachable'
          ? { isrisky: 0, extra_info_json: '', status_code: -1008 }
          : { version: 2, result: { suggest: verdict, label: verdict === 'pass' ? 100 : 20002 }, detail: [] };
      const message = JSON.stringify({
        ToUserName: 'gh_fake',
        FromUserName: request.openid,
        CreateTime: Math.floor(Date.now() / 1000),
        MsgType: 'event',
        Event: 'wxa_media_check',
        appid: this.appId,
        trace_id: request.traceId,
        ...event,
      });
      const timestamp = String(Math.floor(Date.now() / 1000));
      const nonce = randomBytes(5).toString('hex');
      const url = new URL(target.url);
      url.searchParams.set('signature', pushSignature(target.token, timestamp, nonce));
      url.searchParams.set('timestamp', timestamp);
      url.searchParams.set('nonce', nonce);
      let body = message;
      if (target.encodingAesKey) {
        const encrypted = encryptPush(target.encodingAesKey, this.appId, message);
        url.searchParams.set('encrypt_type', 'aes');
        url.searchParams.set('msg_signature', pushSignature(target.token, timestamp, nonce, encrypted));
        body = JSON.stringify({ ToUserName: 'gh_fake', Encrypt: encrypted });
      }
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      request.delivered = { status: res.status, body: await res.text(), suggest: verdict };
    }
    return waiting.length;
  }

  private async judge(mediaUrl: string): Promise<'pass' | 'review' | 'risky' | 'unreachable'> {
    try {
      const res = await fetch(mediaUrl);
      if (res.status !== 200) return 'unreachable';
      const text = Buffer.from(await res.arrayBuffer()).toString('latin1');
      if (text.includes(MEDIA_MARKERS.risky)) return 'risky';
      if (text.includes(MEDIA_MARKERS.review)) return 'review';
      return 'pass';
    } catch {
      return 'unreachable';
    }
  }
}
