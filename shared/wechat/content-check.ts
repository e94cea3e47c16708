import { AppError, ServiceUnavailableError } from '../errors.js';
import { getOpenid } from '../people/index.js';
import type { DbContext } from '../table/index.js';
import type { WechatServerApi } from './client.js';
import { type ContentScene, msgSecCheck } from './msg-sec-check.js';

/** WeChat's content security judged this text risky: it is not published. `details.field` names it (e.g. `body.items[0].name`). */
export class ContentRejectedError extends AppError {
  readonly status = 422;
  readonly code = 'CONTENT_REJECTED';
  constructor(field: string, label: number) {
    super(`WeChat content security rejected ${field}; change the text`, { field, label });
  }
}

/** One piece of user text others will see: where it is in the request, and msgSecCheck's scene for it. */
export interface ContentField {
  readonly field: string;
  readonly text: string | null | undefined;
  readonly scene: ContentScene;
}

/**
 * What to do when a text cannot be checked (WeChat unreachable, out of quota, token trouble):
 * `refuse` answers 503 SERVICE_UNAVAILABLE; `review` accepts it and lists it for review like a
 * `review` verdict.
 */
export type UncheckedPolicy = 'refuse' | 'review';

/**
 * Checks of one request in flight at once: a campaign of 50 items and 20 pickup points has up to
 * 142 texts, and msgSecCheck allows 4,000 calls a minute per AppID (wechat-facts §2).
 */
const MAX_PARALLEL_CHECKS = 8;

/** `run` over `inputs`, at most `limit` at a time, answers in input order. */
async function mapLimited<T, R>(inputs: readonly T[], limit: number, run: (input: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(inputs.length);
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const i = next++;
      out[i] = await run(inputs[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
  return out;
}

/** The content-security switch (config CONTENT_CHECK): the WeChat client, or absent when checks are off. */
export interface ContentCheck {
  readonly api: WechatServerApi;
  /** told why a text went unchecked (errcode and error code only, never the text): a wrong AppSecret must not hide behind 503s */
  readonly onUnchecked?: (fields: { field: string; code: string; errcode?: number }) => void;
}

/**
 * Check the texts a user is about to publish, all at once (one msgSecCheck per non-empty text).
 * A `risky` text is ContentRejectedError (the first in `fields` order); the answer lists the fields
 * judged `review` (and, with the `review` policy, those that could not be checked). With checks
 * off, or no text, nothing is asked of WeChat or the table: the join path pays nothing for a
 * join without a note.
 */
export async function checkContent(
  check: ContentCheck | undefined,
  db: DbContext,
  userId: string,
  fields: readonly ContentField[],
  unchecked: UncheckedPolicy,
): Promise<string[]> {
  const texts = fields.filter((f): f is ContentField & { text: string } => typeof f.text === 'string' && f.text.trim() !== '');
  if (!check || texts.length === 0) return [];
  // msgSecCheck needs the author's openid (the one who visited in the last 2 h: the caller).
  const openid = await getOpenid(db, userId);
  // One call per distinct text and scene: specs like "2斤" repeat across items.
  const keyOf = (f: ContentField) => `${f.scene}\u0000${f.text}`;
  const distinct = [...new Map(texts.map((f) => [keyOf(f), f])).values()];
  const answers = await mapLimited(distinct, MAX_PARALLEL_CHECKS, async (f) => {
    if (!openid) {
      check.onUnchecked?.({ field: f.field, code: 'NO_OPENID' });
      return null;
    }
    try {
      return await msgSecCheck(check.api, { content: f.text, scene: f.scene, openid });
    } catch (err) {
      // Unreachable, out of quota, token trouble, a bad openid: the text is unchecked (the policy decides).
      if (!(err instanceof AppError)) throw err;
      const errcode = err.details?.errcode;
      check.onUnchecked?.({ field: f.field, code: err.code, ...(typeof errcode === 'number' ? { errcode } : {}) });
      return null;
    }
  });
  const byText = new Map(distinct.map((f, i) => [keyOf(f), answers[i] ?? null] as const));
  const verdicts = texts.map((f) => ({ f, verdict: byText.get(keyOf(f)) ?? null }));
  const risky = verdicts.find((v) => v.verdict?.suggest === 'risky');
  if (risky?.verdict) throw new ContentRejectedError(risky.f.field, risky.verdict.label);
  if (unchecked === 'refuse' && verdicts.some((v) => v.verdict === null)) {
    throw new ServiceUnavailableError('WeChat content security cannot be reached right now; retry in a moment', { dependency: 'wechat' });
  }
  return verdicts.filter((v) => v.verdict === null || v.verdict.suggest === 'review').map((v) => v.f.field);
}
