/**
 * The `scene` of a 小程序码 (wxacode.getUnlimited): at most 32 visible characters of
 * 0-9A-Za-z!#$&'()*+,/:;=?@-._~ (docs wechat-facts.md §5; `%` is not allowed). Ours names the
 * campaign by its share code and, optionally, who shared it by a referrer token:
 * `s=<shareCode>&r=<token>` (8 + 10 characters in practice: 23 in all, well inside the limit).
 * Readable on purpose: the mini program and a person looking at a log both see what it says.
 */
export const SCENE_MAX_LENGTH = 32;

/** The mini-program page share codes and links open unless WECHAT_CODE_PAGE says otherwise. */
export const DEFAULT_CAMPAIGN_PAGE = 'pages/campaign/index';
/** A page path as WeChat takes it for a code: no leading slash, no query. */
export const PAGE_PATH = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;

/** Which build of the mini-program a code opens (getwxacodeunlimit `env_version`). */
export const CODE_ENVS = ['release', 'trial', 'develop'] as const;
export type CodeEnv = (typeof CODE_ENVS)[number];

/** What WeChat accepts in a scene. */
const SCENE_CHARS = /^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]+$/;
/** Share codes (shared/ids.ts makes 8 of 23456789A-Z) and referrer tokens (10 of lowercase base32) are alphanumeric. */
const SHARE_CODE = /^[0-9A-Za-z]{1,16}$/;
export const REFERRER_TOKEN = /^[0-9a-z]{4,16}$/;

export interface Scene {
  shareCode: string;
  /** the referrer token, null when the code was made without one */
  referrer: string | null;
}

/** The scene for a share code and referrer token; throws on parts that could not round-trip or a scene over 32 characters. */
export function encodeScene(scene: Scene): string {
  if (!SHARE_CODE.test(scene.shareCode)) throw new RangeError(`not a share code: ${JSON.stringify(scene.shareCode)}`);
  if (scene.referrer !== null && !REFERRER_TOKEN.test(scene.referrer)) {
    throw new RangeError(`not a referrer token: ${JSON.stringify(scene.referrer)}`);
  }
  const text = scene.referrer === null ? `s=${scene.shareCode}` : `s=${scene.shareCode}&r=${scene.referrer}`;
  if (text.length > SCENE_MAX_LENGTH) throw new RangeError(`scene longer than ${SCENE_MAX_LENGTH} characters: ${text}`);
  return text;
}

/**
 * A scene back into its parts, or null for anything that is not one of ours (never throws: a
 * scene comes from a scanned code or a client and may be anything). A scene still URL-encoded
 * (`s%3D…`: the page forgot `decodeURIComponent(query.scene)`) is decoded once, since `%` cannot be
 * part of a real scene.
 */
export function decodeScene(input: string): Scene | null {
  let text = input.trim();
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      return null;
    }
  }
  if (text.length === 0 || text.length > SCENE_MAX_LENGTH || !SCENE_CHARS.test(text)) return null;
  const fields = new Map<string, string>();
  for (const pair of text.split('&')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return null;
    const name = pair.slice(0, eq);
    if (fields.has(name)) return null;
    fields.set(name, pair.slice(eq + 1));
  }
  const shareCode = fields.get('s');
  const referrer = fields.get('r') ?? null;
  if (shareCode === undefined || !SHARE_CODE.test(shareCode)) return null;
  if (referrer !== null && !REFERRER_TOKEN.test(referrer)) return null;
  if ([...fields.keys()].some((k) => k !== 's' && k !== 'r')) return null;
  return { shareCode, referrer };
}

/**
 * A join's `ref`: a bare referrer token, or a whole scene (then with the share code it was made
 * for, which the caller checks against the campaign). null when it names no referrer: a bad ref
 * never fails a join, it only attributes nothing.
 */
export function parseRef(ref: string): { token: string; shareCode: string | null } | null {
  const bare = ref.trim();
  if (REFERRER_TOKEN.test(bare)) return { token: bare, shareCode: null };
  const scene = decodeScene(bare);
  return scene?.referrer ? { token: scene.referrer, shareCode: scene.shareCode } : null;
}
