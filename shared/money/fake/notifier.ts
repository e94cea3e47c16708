import { type KeyObject, randomUUID, sign } from 'node:crypto';
import { encryptResource, NOTIFY_RETRY_SCHEDULE_SECONDS, newNonce, toWechatTime, type WechatPayNotification } from '../index.js';

/**
 * The fake's side of notifications: build the documented envelope around an AES-GCM resource,
 * sign it with the platform key, POST it, and remember every attempt and our answer. WeChat
 * counts only HTTP 200/204 as received and otherwise retries on NOTIFY_RETRY_SCHEDULE_SECONDS;
 * here nothing is retried until the test (or the dev control endpoint) calls deliverPending().
 */

export type FakeEventType = WechatPayNotification['eventType'];

export interface FakeDelivery {
  notificationId: string;
  eventType: FakeEventType;
  url: string;
  /** 1 for the first POST, 2 for the first retry, … */
  attempt: number;
  at: Date;
  /** our HTTP status; 0 when the POST failed (refused, timeout) */
  status: number;
  /** our answer body, first 1000 characters */
  answer: string;
  ok: boolean;
}

export interface FakeNotification {
  id: string;
  eventType: FakeEventType;
  /** the exact JSON POSTed (the same on every attempt) */
  body: string;
  url: string;
  attempts: FakeDelivery[];
  delivered: boolean;
  /** when WeChat would try again; null once delivered or given up */
  nextAttemptAt: Date | null;
  gaveUp: boolean;
}

/**
 * The two keys WeChat Pay may sign with while a merchant moves from platform certificates to the
 * WeChat Pay public key (公钥模式): either one signs, named by its Wechatpay-Serial.
 */
export type FakeSigningKey = 'public-key' | 'certificate';
export interface FakeSigner {
  key: KeyObject;
  serial: string;
}

export interface SignOptions {
  /** Unix seconds; default the fake's clock (pass an old one to forge a stale message) */
  timestamp?: number;
  nonce?: string;
  /** sign with this one of the fake's two keys (and its serial); default the one signWith chose */
  as?: FakeSigningKey;
  /** sign with another private key (a forgery) */
  key?: KeyObject | string;
  /** claim another Wechatpay-Serial */
  serial?: string;
}

const SUMMARIES: Record<FakeEventType, string> = {
  'TRANSACTION.SUCCESS': '支付成功',
  'REFUND.SUCCESS': '退款成功',
  'REFUND.ABNORMAL': '退款异常',
  'REFUND.CLOSED': '退款关闭',
};

export class FakeNotifier {
  readonly notifications: FakeNotification[] = [];
  readonly deliveries: FakeDelivery[] = [];

  /** which key signs answers and notifications unless a call says otherwise */
  signingKey: FakeSigningKey = 'public-key';

  constructor(
    private readonly signers: Readonly<Record<FakeSigningKey, FakeSigner>>,
    private readonly apiV3Key: string,
    private readonly clock: () => Date,
    private readonly timeoutMs: number,
  ) {}

  /** Wechatpay-* headers over `${timestamp}\n${nonce}\n${body}\n`, as on answers and notifications. */
  sign(body: string, opts: SignOptions = {}): Record<string, string> {
    const timestamp = String(opts.timestamp ?? Math.floor(this.clock().getTime() / 1000));
    const nonce = opts.nonce ?? newNonce();
    const signer = this.signers[opts.as ?? this.signingKey];
    const signature = sign('sha256', Buffer.from(`${timestamp}\n${nonce}\n${body}\n`, 'utf8'), opts.key ?? signer.key).toString('base64');
    return {
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': nonce,
      'wechatpay-signature': signature,
      'wechatpay-serial': opts.serial ?? signer.serial,
      'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
    };
  }

  encrypt(plaintext: string, associatedData: string, nonce?: string) {
    return encryptResource(this.apiV3Key, plaintext, associatedData, nonce);
  }

  /** The envelope JSON for a resource (encrypted here), and fresh signed headers for it. */
  build(
    eventType: FakeEventType,
    resource: object,
    opts: SignOptions & { id?: string } = {},
  ): { body: string; headers: Record<string, string> } {
    const originalType = eventType.startsWith('REFUND') ? 'refund' : 'transaction';
    const encrypted = this.encrypt(JSON.stringify(resource), originalType);
    const body = JSON.stringify({
      id: opts.id ?? randomUUID(),
      create_time: toWechatTime(this.clock()),
      resource_type: 'encrypt-resource',
      event_type: eventType,
      summary: SUMMARIES[eventType],
      resource: { original_type: originalType, ...encrypted },
    });
    return { body, headers: { 'content-type': 'application/json', ...this.sign(body, opts) } };
  }

  /** Queues a notification and makes its first delivery attempt (a lost one is simply never queued). */
  async send(eventType: FakeEventType, resource: object, url: string): Promise<FakeNotification> {
    const { body } = this.build(eventType, resource);
    const n: FakeNotification = {
      id: (JSON.parse(body) as { id: string }).id,
      eventType,
      body,
      url,
      attempts: [],
      delivered: false,
      nextAttemptAt: this.clock(),
      gaveUp: false,
    };
    this.notifications.push(n);
    await this.attempt(n);
    return n;
  }

  /**
   * One more attempt for every notification not yet acknowledged, in compressed time; with
   * `dueOnly`, only those whose scheduled retry time has come by the fake's clock.
   */
  async deliverPending(opts: { dueOnly?: boolean } = {}): Promise<FakeDelivery[]> {
    const now = this.clock().getTime();
    const due = this.notifications.filter(
      (n) => !n.delivered && !n.gaveUp && (!opts.dueOnly || (n.nextAttemptAt !== null && n.nextAttemptAt.getTime() <= now)),
    );
    const out: FakeDelivery[] = [];
    for (const n of due) out.push(await this.attempt(n));
    return out;
  }

  pending(): FakeNotification[] {
    return this.notifications.filter((n) => !n.delivered && !n.gaveUp);
  }

  private async attempt(n: FakeNotification): Promise<FakeDelivery> {
    const at = this.clock();
    let status = 0;
    let answer = '';
    try {
      const res = await fetch(n.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Mozilla/4.0 (fake wechatpay notify)', ...this.sign(n.body) },
        body: n.body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = res.status;
      answer = (await res.text()).slice(0, 1000);
    } catch (err) {
      answer = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    const ok = status === 200 || status === 204;
    const delivery: FakeDelivery = {
      notificationId: n.id,
      eventType: n.eventType,
      url: n.url,
      attempt: n.attempts.length + 1,
      at,
      status,
      answer,
      ok,
    };
    n.attempts.push(delivery);
    this.deliveries.push(delivery);
    if (ok) {
      n.delivered = true;
      n.nextAttemptAt = null;
    } else {
      const wait = NOTIFY_RETRY_SCHEDULE_SECONDS[n.attempts.length - 1];
      if (wait === undefined) {
        n.gaveUp = true;
        n.nextAttemptAt = null;
      } else {
        n.nextAttemptAt = new Date(at.getTime() + wait * 1000);
      }
    }
    return delivery;
  }
}
