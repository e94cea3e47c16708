import type { Context } from 'hono';
import { requireVisibleByShareCode } from '../../shared/campaigns/index.js';
import { NotFoundError } from '../../shared/errors.js';
import { countShareView } from '../../shared/numbers/index.js';
import { readEntryLines } from '../entry-lines.js';
import type { AppDeps, AppEnv } from '../env.js';
import { imageUrlFor } from '../image-urls.js';
import { SHARE_PAGE_MAX_LINES, sharePageModel } from '../views/share-page-model.js';

/**
 * GET /s/{shareCode} for a browser (the Accept negotiation is in campaigns.ts): the share page, or
 * a friendly 404 page where the JSON answer would be 404 (unknown code, a draft to outsiders).
 * The list is the public one (masked names) for everyone, so the published page is the same for
 * every reader and a shared cache may keep it a few seconds; a draft its staff preview is not.
 */
const PUBLIC_CACHE = 'public, max-age=5';

export async function sharePageResponse(c: Context<AppEnv>, deps: AppDeps, shareCode: string): Promise<Response> {
  const { db } = deps;
  // The JSX view (and hono/jsx) load on the first page asked for: JSON requests and cold starts never pay for them.
  const { renderNotFoundPage, renderSharePage, sharePageCsp } = await import('../views/share-page.js');
  const photoBase = deps.images?.baseUrl;
  const headers = (cache: string) => ({
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': sharePageCsp(photoBase ? new URL(photoBase).origin : null),
    'Cache-Control': cache,
    // Accept picks HTML or JSON; Authorization may show a draft to its staff.
    Vary: 'Accept, Authorization',
  });
  try {
    const snapshot = await requireVisibleByShareCode(db, shareCode, c.get('user')?.id);
    const id = snapshot.def.id;
    // A view of a published page (not a staff preview of a draft): one UpdateItem ADD, sent beside the list
    // read (the page waits for the slower of the two, not their sum); a failed count never fails the page.
    const counted =
      snapshot.state.status === 'draft'
        ? undefined
        : countShareView(db, id).catch((err) => deps.logger.warn('share view not counted', { campaignId: id, err }));
    // Eventually consistent, as the public list reads: a join shows within a second, the page is cached 5 s anyway.
    const entries = await readEntryLines(db, id, { consistent: false, maxActive: SHARE_PAGE_MAX_LINES });
    const model = sharePageModel({
      def: snapshot.def,
      state: snapshot.state,
      entries,
      now: db.clock.now(),
      wxacode: !!deps.shareCodes,
      ...(deps.images || snapshot.def.images ? { imageUrl: imageUrlFor(deps, c.req.url) } : {}),
    });
    const cache = snapshot.state.status === 'draft' ? 'private, no-store' : PUBLIC_CACHE;
    // Awaited before answering: a Lambda frozen after its response would otherwise lose the count.
    await counted;
    return c.body(renderSharePage(model), 200, headers(cache));
  } catch (err) {
    // Any other failure (the database down) goes to the app's error answer, as for JSON.
    if (!(err instanceof NotFoundError)) throw err;
    return c.body(renderNotFoundPage(), 404, headers(PUBLIC_CACHE));
  }
}
