import { createRoute, type RouteHandler, z } from '@hono/zod-openapi';
import {
  closeCampaign,
  createCampaign,
  editCampaign,
  publishCampaign,
  requireCampaign,
  requireLeader,
  requireLeaderOrHelper,
  requireVisibleByShareCode,
  requireVisibleCampaign,
} from '../../shared/campaigns/index.js';
import { requirePublisher } from '../../shared/communities/index.js';
import type { CampaignDefinition } from '../../shared/domain/index.js';
import { campaignView, checkCampaignSize, checkCampaignValue } from '../../shared/domain/index.js';
import { newId } from '../../shared/ids.js';
import { consumeRate } from '../../shared/limits/index.js';
import { initialState, toState } from '../../shared/table/index.js';
import { checkContent } from '../../shared/wechat/index.js';
import { prefersHtml } from '../accept.js';
import { checkNewCampaignTimes } from '../campaign-times.js';
import { campaignCreateFields, campaignEditFields, withoutBody } from '../content-fields.js';
import type { AppDeps, AppEnv } from '../env.js';
import { campaignMedia } from '../image-urls.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { putTwin } from '../middleware/method-override.js';
import { conditionalJson } from '../read-caching.js';
import { CampaignSchema, CreateCampaignBody, EditCampaignBody } from '../schemas/campaign.js';
import { bearer, CampaignIdParam, errors, jsonResponse } from '../schemas/common.js';
import { notModified, readHeaders } from '../schemas/read-caching.js';
import { newRouter } from '../validation.js';
import { sharePageResponse } from './share-page.js';

const create = createRoute({
  method: 'post',
  path: '/campaigns',
  tags: ['Campaigns'],
  summary: 'Create a campaign; the caller becomes its leader (团长)',
  security: bearer,
  middleware: [signedIn] as const,
  request: { body: { required: true, content: { 'application/json': { schema: CreateCampaignBody } } } },
  responses: {
    201: jsonResponse(CampaignSchema, 'The new campaign'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
    415: errors[415],
    422: errors[422],
    429: errors[429],
    503: errors[503],
  },
});

const get = createRoute({
  method: 'get',
  path: '/campaigns/{id}',
  tags: ['Campaigns'],
  summary: 'A campaign with live counts and tier prices (no token needed)',
  request: { params: CampaignIdParam },
  responses: {
    200: { ...jsonResponse(CampaignSchema, 'The campaign'), headers: readHeaders },
    304: notModified,
    404: errors[404],
  },
});

const byShareCode = createRoute({
  method: 'get',
  path: '/s/{shareCode}',
  tags: ['Campaigns'],
  summary: 'What a shared link opens: the campaign for a share code (case-insensitive)',
  request: {
    params: z.object({
      shareCode: z
        .string()
        .min(1)
        .openapi({ param: { name: 'shareCode', in: 'path' }, example: 'K7M2QX9A' }),
    }),
  },
  responses: {
    200: {
      description:
        'The campaign. A browser (`Accept` preferring `text/html` over `application/json`) gets the share page instead: ' +
        'title, items with live tier prices, the masked 接龙 list (first 100 lines), the deadline and the 小程序码; ' +
        '`Cache-Control: public, max-age=5`, a strict `Content-Security-Policy`, `Vary: Accept`. No Accept, `*/*` or JSON: the JSON, ' +
        "with an ETag and the read path's Cache-Control (If-None-Match → 304).",
      headers: readHeaders,
      content: {
        ...jsonResponse(CampaignSchema, 'The campaign').content,
        'text/html': { schema: z.string().openapi({ description: 'the share page (UTF-8 HTML, no script)' }) },
      },
    },
    304: notModified,
    404: {
      ...errors[404],
      content: { ...errors[404].content, 'text/html': { schema: z.string().openapi({ description: 'a friendly 404 page (browsers)' }) } },
    },
  },
});

const close = createRoute({
  method: 'post',
  path: '/campaigns/{id}/close',
  tags: ['Campaigns'],
  summary: 'Leader or helper closes the campaign early; closing a closed campaign is 200 again',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam },
  responses: {
    200: jsonResponse(CampaignSchema, 'The closed campaign'),
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
  },
});

const edit = createRoute({
  method: 'patch',
  path: '/campaigns/{id}',
  tags: ['Campaigns'],
  summary: 'Leader edits an open campaign: wording, deadline, stock, new items and pickup points',
  description:
    'Title and description; closesAt extended or shortened (never into the past); stock of limited items raised, or lowered down to what is sold ' +
    '(else 409 INVALID_STATE); new items and pickup points appended (ids continue i<n>, p<n>). Prices and tiers of existing items never change: ' +
    'members who joined keep the terms they saw; add a new item instead. Entries keep the campaign title they were made under (in /me/entries).',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam, body: { required: true, content: { 'application/json': { schema: EditCampaignBody } } } },
  responses: {
    200: jsonResponse(CampaignSchema, 'The edited campaign'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
    415: errors[415],
    422: errors[422],
    503: errors[503],
  },
});

const publish = createRoute({
  method: 'post',
  path: '/campaigns/{id}/publish',
  tags: ['Campaigns'],
  summary: 'Leader publishes a draft: members can see and join it from now on; publishing again is 200',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam },
  responses: {
    200: jsonResponse(CampaignSchema, 'The published campaign'),
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
  },
});

export function campaignRoutes(deps: AppDeps) {
  const { db } = deps;
  const editHandler: RouteHandler<typeof edit, AppEnv> = async (c) => {
    const user = requireUser(c);
    const { id } = c.req.valid('param');
    const before = await requireCampaign(db, id);
    await requireLeader(db, before, user.id, 'edit the campaign');
    const body = c.req.valid('json');
    // A leader's post is never published unchecked: WeChat unreachable is 503 (the leader retries).
    const fields = campaignEditFields(body);
    const review = await checkContent(deps.contentCheck, db, user.id, fields, 'refuse');
    const after = await editCampaign(db, id, {
      // Only texts this edit sets were checked again: an absent title keeps its old flag.
      ...(deps.contentCheck
        ? {
            contentReview: {
              checked: fields.filter((f) => f.text !== undefined).map((f) => withoutBody(f.field)),
              review: review.map(withoutBody),
            },
          }
        : {}),
      ...(body.title !== undefined ? { title: body.title } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.closesAt !== undefined ? { closesAt: body.closesAt } : {}),
      ...(body.stock ? { stock: body.stock } : {}),
      ...(body.maxEntriesPerUser !== undefined ? { maxEntriesPerUser: body.maxEntriesPerUser } : {}),
      ...(body.addItems
        ? {
            addItems: body.addItems.map((item) => ({
              name: item.name,
              spec: item.spec ?? null,
              unitPrice: item.unitPrice,
              stock: item.stock ?? null,
              perPersonLimit: item.perPersonLimit ?? null,
              tiers: item.tiers,
            })),
          }
        : {}),
      ...(body.addPickupPoints ? { addPickupPoints: body.addPickupPoints.map((p) => ({ name: p.name, address: p.address ?? null })) } : {}),
    });
    return c.json(campaignView(after.def, after.state, db.clock.now(), await campaignMedia(deps, c.req.url, after.def, user.id)), 200);
  };

  return newRouter()
    .openapi(create, async (c) => {
      const user = requireUser(c);
      const body = c.req.valid('json');
      const now = db.clock.now();
      const opensAt = body.opensAt ? new Date(body.opensAt) : now;
      const closesAt = new Date(body.closesAt);
      checkNewCampaignTimes(now, opensAt, closesAt, deps.money.refusesPaymentMode(body.paymentMode));
      const draft: Omit<CampaignDefinition, 'shareCode'> = {
        id: newId('c', now),
        leaderId: user.id,
        title: body.title,
        description: body.description,
        opensAt: opensAt.toISOString(),
        closesAt: closesAt.toISOString(),
        tierBasis: body.tierBasis,
        minParticipants: body.minParticipants,
        // Short item ids: they are attribute names in the hot counter record, where bytes cost capacity.
        items: body.items.map((item, i) => ({
          id: `i${i + 1}`,
          name: item.name,
          spec: item.spec ?? null,
          unitPrice: item.unitPrice,
          stock: item.stock ?? null,
          perPersonLimit: item.perPersonLimit ?? null,
          tiers: item.tiers,
        })),
        pickupPoints: body.pickupPoints.map((p, i) => ({ id: `p${i + 1}`, name: p.name, address: p.address ?? null })),
        createdAt: now.toISOString(),
        paymentMode: body.paymentMode,
        paymentHoldMinutes: body.paymentHoldMinutes,
        maxEntriesPerUser: body.maxEntriesPerUser,
        ...(body.communityId ? { communityId: body.communityId } : {}),
      };
      checkCampaignSize(draft); // the schema caps every list; this also bounds the item's bytes
      checkCampaignValue(draft.items); // every total of the campaign stays a safe integer
      // Content security before anything is written; a leader's post is never published unchecked (503 if WeChat is unreachable).
      const review = await checkContent(deps.contentCheck, db, user.id, campaignCreateFields(body), 'refuse');
      if (review.length > 0) draft.contentReview = review.map(withoutBody);
      // Into a community: the leader must be its owner or an admin (checked again inside the create transaction).
      if (draft.communityId) await requirePublisher(db, draft.communityId, user.id);
      // Per-user limit (RATE_LIMIT_CAMPAIGNS_PER_HOUR), counted only for a request that would be written.
      await consumeRate(db, deps.rateLimits, 'campaign', user.id);
      const def = await createCampaign(db, draft, { draft: body.draft });
      // The counters of a new campaign are known: no need to read back what was just written.
      return c.json(
        campaignView(
          def,
          toState(initialState(def, body.draft ? 'draft' : 'open')),
          now,
          await campaignMedia(deps, c.req.url, def, user.id),
        ),
        201,
      );
    })
    .openapi(get, async (c) => {
      const snapshot = await requireCampaign(db, c.req.valid('param').id);
      await requireVisibleCampaign(db, snapshot, c.get('user')?.id);
      const view = campaignView(
        snapshot.def,
        snapshot.state,
        db.clock.now(),
        await campaignMedia(deps, c.req.url, snapshot.def, c.get('user')?.id),
      );
      return conditionalJson(c, view satisfies z.input<typeof CampaignSchema>, { draft: snapshot.state.status === 'draft' });
    })
    .openapi(byShareCode, async (c) => {
      const { shareCode } = c.req.valid('param');
      if (prefersHtml(c.req.header('accept'))) return sharePageResponse(c, deps, shareCode);
      // The same URL answers HTML too: a cache must key on Accept (its JSON 404 too).
      c.header('Vary', 'Accept');
      const snapshot = await requireVisibleByShareCode(db, shareCode, c.get('user')?.id);
      const view = campaignView(
        snapshot.def,
        snapshot.state,
        db.clock.now(),
        await campaignMedia(deps, c.req.url, snapshot.def, c.get('user')?.id),
      );
      return conditionalJson(c, view satisfies z.input<typeof CampaignSchema>, {
        draft: snapshot.state.status === 'draft',
        vary: 'Accept, Authorization',
      });
    })
    .openapi(edit, editHandler)
    .openapi(putTwin(edit), editHandler)
    .openapi(publish, async (c) => {
      const user = requireUser(c);
      const { id } = c.req.valid('param');
      const before = await requireCampaign(db, id);
      await requireLeader(db, before, user.id, 'publish the campaign');
      await publishCampaign(db, id);
      const after = await requireCampaign(db, id);
      return c.json(campaignView(after.def, after.state, db.clock.now(), await campaignMedia(deps, c.req.url, after.def, user.id)), 200);
    })
    .openapi(close, async (c) => {
      const user = requireUser(c);
      const { id } = c.req.valid('param');
      const before = await requireCampaign(db, id);
      await requireLeaderOrHelper(db, before, user.id, 'close the campaign');
      await closeCampaign(db, id);
      const after = await requireCampaign(db, id);
      return c.json(campaignView(after.def, after.state, db.clock.now(), await campaignMedia(deps, c.req.url, after.def, user.id)), 200);
    });
}
