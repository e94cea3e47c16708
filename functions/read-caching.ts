import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import type { AppEnv } from './env.js';

/**
 * Caching headers and conditional GETs of the public read path (GET /campaigns/{id}, the 接龙
 * list, GET /s/{shareCode} as JSON): what every member of a viral campaign refreshes.
 *
 * Cache-Control. An anonymous reader of a published campaign gets the public answer a CDN may
 * share for a second (then serve stale a few more while it revalidates): CloudFront keys on
 * Authorization (infra/constructs/edge.ts), so a thousand anonymous refreshes a second cost the
 * origin about one per edge. A signed-in reader's answer is theirs (their own line, `isMine`, staff
 * see names and phones): `private, no-cache`, so no shared cache keeps it and their own client
 * revalidates every time (a join shows at once, as a 304 or a new body). A draft is never
 * stored anywhere (`private, no-store`, as its share-page preview). `Vary: Authorization` always.
 *
 * ETag: a hash of the JSON body itself, not a version number. The tag then changes exactly when
 * the bytes a reader gets change, for every reader separately: a member whose own line differs
 * from the public one gets a different tag because their body differs, and two readers who see
 * the same bytes may share one (harmless: Vary keeps caches per Authorization). Version tags
 * (STATE.version, defVersion) looked cheaper for the list, a 304 without the entries Query, but
 * they would not be exact:
 *   - the public list is read eventually consistent after STATE is read strongly, so a body can
 *     lag the version it would be tagged with, and that stale body would then be confirmed by
 *     304s until the next join;
 *   - some writes change lines without touching STATE: a staff entry claimed by its member (its
 *     user and updatedAt), an erasure (the nickname), photo check verdicts on the definition
 *     (shared/images/checks.ts, no defVersion bump); and a deadline passing changes `status`
 *     with no write at all.
 * So a 304 costs the same reads as its 200 (never more); it saves the body's bytes and the
 * client's re-render, and the CDN's second of caching is what absorbs the load.
 */
export const PUBLIC_READ = 'public, max-age=1, stale-while-revalidate=5';
export const SIGNED_IN_READ = 'private, no-cache';
export const DRAFT_READ = 'private, no-store';

/** The Cache-Control of a read: by the Authorization header (what Vary keys on), not by who it turned out to be. */
export function readCacheControl(c: Context<AppEnv>, draft: boolean): string {
  if (draft) return DRAFT_READ;
  return c.req.header('authorization') === undefined ? PUBLIC_READ : SIGNED_IN_READ;
}

/** A strong validator of the exact body (128 bits of SHA-256: collisions are not a concern). */
export function etagOf(json: string): string {
  return `"${createHash('sha256').update(json).digest('base64url').slice(0, 22)}"`;
}

/**
 * If-None-Match uses the weak comparison (RFC 9110 §13.1.2): `W/"x"` matches `"x"` (a CDN that
 * compresses may weaken our tag); `*` matches any current representation; a list matches if
 * any member does.
 */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = etag.replace(/^W\//, '');
  return header.split(',').some((raw) => {
    const tag = raw.trim();
    return tag === '*' || tag.replace(/^W\//, '') === opaque;
  });
}

/**
 * The JSON answer of a read, with its ETag and caching headers, or 304 without a body when the
 * reader already holds it. The 304 carries the same ETag, Cache-Control and Vary as the 200 would
 * (RFC 9110 §15.4.5), so a cache refreshes what it holds. Serialised once: the tag is of these bytes.
 */
export function conditionalJson(c: Context<AppEnv>, body: unknown, opts: { draft: boolean; vary?: string }): Response {
  const json = JSON.stringify(body);
  const etag = etagOf(json);
  const headers = { ETag: etag, 'Cache-Control': readCacheControl(c, opts.draft), Vary: opts.vary ?? 'Authorization' };
  if (noneMatch(c.req.header('if-none-match'), etag)) return c.body(null, 304, headers);
  return c.body(json, 200, { ...headers, 'Content-Type': 'application/json' });
}
