import { createHash } from 'node:crypto';
import type { CodeEnv } from '../domain/index.js';
import type { Logger } from '../logger.js';
import type { ObjectStore } from '../storage/index.js';
import { getUnlimitedCode, type WechatServerApi } from '../wechat/index.js';

export interface CodeSettings {
  readonly api: WechatServerApi;
  /** the mini-program page the code opens (WECHAT_CODE_PAGE), which reads `scene` in onLoad */
  readonly page: string;
  /** which build it opens (WECHAT_CODE_ENV): release in production, trial or develop before a release */
  readonly env: CodeEnv;
  /** where made codes are kept (the exports bucket under codes/); absent: this process's memory only */
  readonly store?: ObjectStore;
  readonly logger?: Logger;
}

export interface CodeImage {
  readonly bytes: Uint8Array;
  readonly contentType: string;
  /** stable for the inputs: the ETag, and the object's name in the store */
  readonly id: string;
  /** where this answer came from: a fresh WeChat call, or a code made before */
  readonly source: 'wechat' | 'store' | 'memory';
}

/** Object keys of stored codes; the bucket's lifecycle rule for this prefix is in infra (ExportsBucket). */
export const CODES_PREFIX = 'codes/';
/** Codes kept in memory per instance: a poster shared in a busy group is asked for again and again. */
const MEMORY_CODES = 200;

/**
 * 小程序码 for campaigns, each made by WeChat once per distinct (scene, page, env, width): a code
 * never expires, so what was made is kept (object storage, then memory) and answered again. Within
 * a process, callers asking for the same code at once share one WeChat call; across instances, the
 * first few at the same moment may each make one (the same picture, stored twice): that costs a
 * call or two of a 5,000-a-minute quota, not worth a lock.
 */
export class CampaignCodes {
  private readonly inflight = new Map<string, Promise<CodeImage>>();
  private readonly memory = new Map<string, CodeImage>();

  constructor(readonly settings: CodeSettings) {}

  /** The code for a scene (shared/domain encodeScene) at a width. */
  code(scene: string, width: number): Promise<CodeImage> {
    const { page, env } = this.settings;
    const id = createHash('sha256').update(`${scene}\u0000${page}\u0000${env}\u0000${width}`).digest('base64url').slice(0, 32);
    const known = this.memory.get(id);
    if (known) {
      // Most recently used last, so the oldest is the one let go.
      this.memory.delete(id);
      this.memory.set(id, known);
      return Promise.resolve({ ...known, source: 'memory' });
    }
    let pending = this.inflight.get(id);
    if (!pending) {
      pending = this.load(id, scene, width).finally(() => this.inflight.delete(id));
      this.inflight.set(id, pending);
    }
    return pending;
  }

  private async load(id: string, scene: string, width: number): Promise<CodeImage> {
    const { store, api, page, env, logger } = this.settings;
    const key = `${CODES_PREFIX}${id}`;
    if (store) {
      try {
        const stored = await store.getBytes(key);
        if (stored) return this.remember({ ...stored, id, source: 'store' });
      } catch (err) {
        // Storage trouble costs one WeChat call, not the member's code.
        logger?.warn('stored code unreadable', { key, err });
      }
    }
    const made = await getUnlimitedCode(api, { scene, page, env, width });
    const image = this.remember({ bytes: made.bytes, contentType: made.contentType, id, source: 'wechat' });
    if (store) {
      try {
        await store.putBytes(key, made.bytes, { contentType: made.contentType });
      } catch (err) {
        logger?.warn('code not stored', { key, err });
      }
    }
    return image;
  }

  private remember(image: CodeImage): CodeImage {
    this.memory.set(image.id, image);
    if (this.memory.size > MEMORY_CODES) this.memory.delete(this.memory.keys().next().value!);
    return image;
  }
}
