import { createRoute, z } from '@hono/zod-openapi';
import { requireCampaign, requireShareReferrer, requireVisibleCampaign } from '../../shared/campaigns/index.js';
import { encodeScene } from '../../shared/domain/index.js';
import { ServiceUnavailableError } from '../../shared/errors.js';
import { ensureReferrerToken } from '../../shared/referrals/index.js';
import type { AppDeps } from '../env.js';
import { CampaignIdParam, error, errors } from '../schemas/common.js';
import { WxacodeQuery } from '../schemas/referral.js';
import { newRouter } from '../validation.js';

/** A code never changes for its inputs: a phone may keep it a day (the member's own, so private unless it credits nobody). */
const MAX_AGE_SECONDS = 86_400;

const wxacodeRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/wxacode',
  tags: ['Referrals'],
  summary: 'The campaign’s 小程序码 (mini-program code) as an image, crediting you or a helper',
  description:
    'A permanent code from WeChat (wxacode.getUnlimited) opening WECHAT_CODE_PAGE with `scene` = `s=<shareCode>&r=<referrer token>` (≤32 characters; also in the `X-Wxacode-Scene` header). ' +
    'The page reads it in onLoad (`decodeURIComponent(query.scene)`) and passes it as the join’s `ref`, so the join is credited (GET …/referrals). ' +
    'No token needed for a code that credits nobody. Each distinct code is made by WeChat once and kept (object storage), so asking again costs no WeChat call; ' +
    '`ETag` + `If-None-Match` answer 304. The bytes are PNG or JPEG as `Content-Type` says (wx.downloadFile, then wx.previewImage or a canvas poster). A draft is 404 to anyone but its leader and helpers.',
  request: { params: CampaignIdParam, query: WxacodeQuery },
  responses: {
    200: {
      description: 'the code',
      headers: z.object({
        ETag: z.string().openapi({ description: 'the same for the same code: send it back as If-None-Match' }),
        'Cache-Control': z.string().openapi({ example: 'private, max-age=86400' }),
        'X-Wxacode-Scene': z.string().openapi({ description: 'the scene the code carries', example: 's=ABCD2345&r=k3m9x2q7ab' }),
      }),
      content: {
        'image/png': { schema: z.string().openapi({ format: 'binary' }) },
        'image/jpeg': { schema: z.string().openapi({ format: 'binary' }) },
      },
    },
    304: { description: 'the code you have (If-None-Match) is the current one', headers: z.object({ ETag: z.string() }) },
    400: errors[400],
    401: error('UNAUTHORIZED: a `ref` naming someone else needs the leader’s or a helper’s token'),
    403: error('FORBIDDEN: only the leader and helpers may make a code that credits someone else'),
    404: errors[404],
    502: error(
      'WECHAT_CODE_PAGE_MISSING: WeChat has no published page WECHAT_CODE_PAGE (41030; an operator fixes the config or WECHAT_CODE_ENV). WECHAT_BAD_SCENE: WeChat refused the scene',
    ),
    503: {
      ...error(
        'WECHAT_QUOTA_EXCEEDED: WeChat’s 5,000 codes a minute are used up (Retry-After: 60). SERVICE_UNAVAILABLE: WeChat is not configured on this server, or could not be reached',
      ),
      headers: z.object({ 'Retry-After': z.string().optional().openapi({ description: 'seconds: 60 for WECHAT_QUOTA_EXCEEDED' }) }),
    },
  },
});

const etagMatches = (header: string | undefined, etag: string) =>
  header?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*') === true;

export function wxacodeRoutes(deps: AppDeps) {
  const { db } = deps;
  return newRouter().openapi(wxacodeRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { ref, width } = c.req.valid('query');
    const caller = c.get('user')?.id ?? null;
    // The campaign first, like every campaign route: an unknown or hidden one is 404 on any server.
    const snapshot = await requireCampaign(db, id);
    await requireVisibleCampaign(db, snapshot, caller);
    if (!deps.shareCodes) throw new ServiceUnavailableError('WeChat is not configured on this server: no 小程序码 (set WECHAT_APPID)');
    const referrerId = await requireShareReferrer(db, snapshot, caller, ref);
    const token = referrerId === null ? null : await ensureReferrerToken(db, referrerId);
    const scene = encodeScene({ shareCode: snapshot.def.shareCode, referrer: token });
    const image = await deps.shareCodes.code(scene, width);
    const etag = `"${image.id}"`;
    const headers = {
      ETag: etag,
      'Cache-Control': `${token === null ? 'public' : 'private'}, max-age=${MAX_AGE_SECONDS}`,
      Vary: 'Authorization',
      'X-Wxacode-Scene': scene,
    };
    if (etagMatches(c.req.header('if-none-match'), etag)) return c.body(null, 304, headers);
    return c.body(image.bytes as Uint8Array<ArrayBuffer>, 200, { ...headers, 'Content-Type': image.contentType });
  });
}
