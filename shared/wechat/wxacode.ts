import type { CodeEnv } from '../domain/index.js';
import { AppError } from '../errors.js';
import type { WechatServerApi } from './client.js';
import { WechatApiError } from './errors.js';
import type { WechatImage } from './http.js';

/** WeChat's bounds for the code's width in pixels, and its default. */
export const CODE_WIDTH = { min: 280, max: 1280, default: 430 } as const;

export interface UnlimitedCodeInput {
  /** ≤32 characters of WeChat's scene alphabet (shared/domain/scene.ts makes ours) */
  readonly scene: string;
  /** page path without a leading slash or query, e.g. pages/campaign/index */
  readonly page: string;
  readonly env: CodeEnv;
  readonly width: number;
}

/** getwxacodeunlimit's errcodes (wechat-facts.md §5). */
const CODE_ERRCODES = { minuteQuota: 45009, pageMissing: 41030, badScene: 40169 } as const;

/** 45009 on this call is its 5,000-a-minute limit: the code can be made again in a minute. */
export class WxacodeRateLimitedError extends AppError {
  readonly status = 503;
  readonly code = 'WECHAT_QUOTA_EXCEEDED';
  override readonly retryAfterSeconds = 60;
  constructor(message: string) {
    super(message, { retryAfterSeconds: 60 });
  }
}

/** 41030: the page is not in the published mini-program (a new page before release): the deployment's WECHAT_CODE_PAGE or env is wrong. */
export class WxacodePageMissingError extends WechatApiError {
  override readonly code = 'WECHAT_CODE_PAGE_MISSING';
}

/** 40169: WeChat refused the scene (we only send scenes our codec made, so this is a bug to look at). */
export class WxacodeBadSceneError extends WechatApiError {
  override readonly code = 'WECHAT_BAD_SCENE';
}

/**
 * `POST /wxa/getwxacodeunlimit`: a permanent 小程序码 for a scene. `check_path` is WeChat's
 * "is the page published" check, so it is on for release codes only: trial and develop builds
 * have pages the release does not (WeChat refuses check_path for them). A code has no side
 * effect, so the call is retried once when WeChat was unreachable.
 */
export async function getUnlimitedCode(api: WechatServerApi, input: UnlimitedCodeInput): Promise<WechatImage> {
  try {
    return await api.postForImage(
      '/wxa/getwxacodeunlimit',
      { scene: input.scene, page: input.page, check_path: input.env === 'release', env_version: input.env, width: input.width },
      { idempotent: true },
    );
  } catch (err) {
    if (!(err instanceof WechatApiError)) throw err;
    if (err.errcode === CODE_ERRCODES.minuteQuota)
      throw new WxacodeRateLimitedError('WeChat makes at most 5,000 codes a minute; retry in a minute');
    if (err.errcode === CODE_ERRCODES.pageMissing) {
      throw new WxacodePageMissingError(`WeChat has no published page ${input.page} (${input.env}); check WECHAT_CODE_PAGE`, err.errcode);
    }
    if (err.errcode === CODE_ERRCODES.badScene) throw new WxacodeBadSceneError(`WeChat refused the scene ${input.scene}`, err.errcode);
    throw err;
  }
}
