import { createRoute, z } from '@hono/zod-openapi';
import type { CampaignDb } from '../../shared/campaigns/index.js';
import { requireCampaign, requireRole } from '../../shared/campaigns/index.js';
import { listMembers, type Membership, requireCommunity, requireCommunityRight } from '../../shared/communities/index.js';
import type { SheetCell } from '../../shared/domain/index.js';
import { campaignNumbers, closePickups, communityNumbers, MAX_NUMBERS_DAYS } from '../../shared/numbers/index.js';
import type { AppDeps } from '../env.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { bearer, CampaignIdParam, error, errors, jsonResponse } from '../schemas/common.js';
import { CommunityIdParam } from '../schemas/community.js';
import { DeliveryQuery, xlsxExportResponses } from '../schemas/export.js';
import { CampaignNumbersSchema, CommunityNumbersSchema, MemberExportQuery, NumbersQuery, PickupCloseSchema } from '../schemas/numbers.js';
import { sheetExportResponse } from '../sheet-export.js';
import { newRouter } from '../validation.js';

/** What the numbers routes answer besides their data: the codes a mini-program checks for. */
const staffOnly = error('FORBIDDEN: not the campaign’s leader or one of its helpers');
const noCampaign = error('NOT_FOUND: no such campaign (a draft, to anyone but its staff)');

const communityNumbersRoute = createRoute({
  method: 'get',
  path: '/communities/{id}/numbers',
  tags: ['Community numbers'],
  summary:
    "The community's numbers (owner, admin): totals, repeat rates, top items, pickup points and a daily series of the last `days` (Asia/Shanghai), from ONE Query of its STATS# items",
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CommunityIdParam, query: NumbersQuery },
  responses: {
    200: jsonResponse(CommunityNumbersSchema, 'The numbers'),
    400: error(`VALIDATION_FAILED: \`days\` is not an integer 1..${MAX_NUMBERS_DAYS}; \`details.fields\` names it`),
    401: errors[401],
    403: error('FORBIDDEN: not an active owner or admin of the community'),
    404: error('NOT_FOUND: no such community'),
  },
});

const campaignNumbersRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/numbers',
  tags: ['Community numbers'],
  summary:
    "A campaign's numbers (leader, helpers): share-page views per day, and once settled and folded its participants, new vs returning, revenue, items, pickup points",
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam },
  responses: { 200: jsonResponse(CampaignNumbersSchema, 'The numbers'), 401: errors[401], 403: staffOnly, 404: noCampaign },
});

const closeRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/pickups/close',
  tags: ['Pickups'],
  summary:
    'Close the pickup of a settled community campaign (leader, helpers): every entry not picked up counts once as a no-show in the member book and numbers; a later pickup takes it back. Repeating counts nothing twice',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam },
  responses: {
    200: jsonResponse(PickupCloseSchema, 'The pickup is closed'),
    401: errors[401],
    403: staffOnly,
    404: noCampaign,
    409: error(
      'INVALID_STATE: the campaign is not settled yet (`details.status`), or is not a campaign of a community (`details.communityId` null)',
    ),
  },
});

const exportRoute = createRoute({
  method: 'get',
  path: '/communities/{id}/members/export',
  tags: ['Community members'],
  summary:
    'The member book as a spreadsheet (owner, admin, helpers): one row per person with their standing, numbers, tags and note; xlsx (default) or csv',
  description:
    'format=csv answers text/csv (UTF-8 with BOM). A large file (over 2 MiB) is answered with 303 See Other to a short-lived download link; `delivery=url` always answers the link as JSON.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CommunityIdParam, query: MemberExportQuery.extend({ delivery: DeliveryQuery }) },
  responses: {
    ...xlsxExportResponses,
    200: {
      ...xlsxExportResponses[200],
      content: { ...xlsxExportResponses[200].content, 'text/csv': { schema: z.string() } },
    },
  },
});

export const MEMBER_EXPORT_HEADERS: readonly SheetCell[] = [
  '用户ID',
  '昵称',
  '身份',
  '状态',
  '首次参团',
  '最近参团',
  '参团次数',
  '件数',
  '金额(元)',
  '退款(元)',
  '取货次数',
  '未取次数',
  '标签',
  '备注',
];

function memberCells(m: Membership): SheetCell[] {
  const b = m.book;
  return [
    m.userId,
    m.nickname,
    m.role,
    m.status,
    b?.firstJoinAt ?? null,
    b?.lastJoinAt ?? null,
    b?.campaigns ?? 0,
    b?.units ?? 0,
    { fen: b?.amount ?? 0 },
    { fen: b?.refunded ?? 0 },
    b?.pickups ?? 0,
    b?.noShows ?? 0,
    (m.tags ?? []).join(' '),
    m.note ?? null,
  ];
}

/** Every member item of the community, page by page (the export reads the book once, never the entries). */
async function* memberRows(db: CampaignDb, communityId: string): AsyncGenerator<readonly SheetCell[]> {
  yield MEMBER_EXPORT_HEADERS;
  let cursor: string | undefined;
  do {
    const page = await listMembers(db, communityId, { limit: 500, ...(cursor ? { cursor } : {}) });
    for (const m of page.members) yield memberCells(m);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

export function numbersRoutes(deps: AppDeps) {
  const { db } = deps;
  return newRouter()
    .openapi(communityNumbersRoute, async (c) => {
      const user = requireUser(c);
      const community = await requireCommunity(db, c.req.valid('param').id);
      await requireCommunityRight(db, community, user.id, 'read-numbers', "read the community's numbers");
      return c.json(await communityNumbers(db, community.id, c.req.valid('query').days, db.clock.now()), 200);
    })
    .openapi(campaignNumbersRoute, async (c) => {
      const user = requireUser(c);
      const snapshot = await requireCampaign(db, c.req.valid('param').id);
      await requireRole(db, snapshot, user, ['leader', 'helper'], "read the campaign's numbers");
      return c.json(await campaignNumbers(db, snapshot.def), 200);
    })
    .openapi(closeRoute, async (c) => {
      const user = requireUser(c);
      const snapshot = await requireCampaign(db, c.req.valid('param').id);
      await requireRole(db, snapshot, user, ['leader', 'helper'], 'close the pickup');
      const closed = await closePickups(db, snapshot);
      deps.logger.info('pickup closed', { requestId: c.get('requestId'), campaignId: snapshot.def.id, noShows: closed.noShows });
      return c.json(closed, 200);
    })
    .openapi(exportRoute, async (c) => {
      const user = requireUser(c);
      const community = await requireCommunity(db, c.req.valid('param').id);
      await requireCommunityRight(db, community, user.id, 'read-members', 'export the member book');
      const { format, delivery } = c.req.valid('query');
      return sheetExportResponse(c, deps, {
        campaignId: `community-${community.id}`,
        sheet: 'members',
        title: `${community.name}-会员`,
        rows: memberRows(db, community.id),
        delivery,
        format,
      });
    });
}
