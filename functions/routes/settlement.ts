import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { TokenUser } from '../../shared/auth/index.js';
import { type CampaignDb, type CampaignSnapshot, requireCampaign, requireRole } from '../../shared/campaigns/index.js';
import { SETTLEMENT_HEADERS, type SettlementSummary, settlementCells, settlementFooterRows } from '../../shared/domain/index.js';
import { NotFoundError } from '../../shared/errors.js';
import { allPayments } from '../../shared/money/index.js';
import { settleCampaign, settlementEntries, settlementPage } from '../../shared/settlement/index.js';
import { settlePointHolds } from '../../shared/use-cases/index.js';
import type { AppDeps, AppEnv } from '../env.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { bearer, CampaignIdParam, errors, jsonResponse } from '../schemas/common.js';
import { csvExportResponses, DeliveryQuery, xlsxExportResponses } from '../schemas/export.js';
import { SettlementSchema } from '../schemas/settlement.js';
import { type SheetFormat, sheetExportResponse } from '../sheet-export.js';
import { newRouter } from '../validation.js';

const SettlementPageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(2000).default(1000).openapi({
    description: 'entries per page, 1 to 2000, default 1000; the summary (items, total, entryCount) is always complete',
  }),
  cursor: z.string().max(2000).optional().openapi({ description: 'nextCursor of the previous page' }),
});

const settleRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/settle',
  tags: ['Settlement'],
  summary: 'Leader settles a closed campaign (or one past closesAt); repeating returns the same settlement',
  description:
    'Everyone pays the lowest tier price the group unlocked. Fewer active entries than minParticipants: status failed, every amount 0. An open campaign before its deadline is 409 INVALID_STATE. ' +
    'A wechatpay campaign refunds at once what each member prepaid above their final amount (everything, for a failed group); follow them in GET /campaigns/{id}/refunds.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam, query: SettlementPageQuery },
  responses: {
    200: jsonResponse(SettlementSchema, 'The settlement (first page of entries; see nextCursor)'),
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/settlement',
  tags: ['Settlement'],
  summary: 'The stored settlement (leader and helpers; 404 before settling)',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam, query: SettlementPageQuery },
  responses: {
    200: jsonResponse(SettlementSchema, 'The settlement with a page of entries'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
  },
});

const sheetQuery = z.object({
  totals: z.enum(['0', '1', 'true', 'false']).optional().openapi({ description: '1 or true: append the purchase summary' }),
  delivery: DeliveryQuery,
});

const COLUMNS =
  'Columns: 接龙号, 昵称, 手机号, 自提点, 商品明细, 件数, 应付金额(元), 备注, 状态, 已付(元), 已退(元), 差额(元) (差额 = 应付 − 已付 + 已退: positive still to collect, negative to give back). With `totals=1` a purchase summary follows the entry rows ' +
  '(a blank line, then per item: quantity, final unit price and subtotal; the grand total; the participant count; whether the group succeeded) ' +
  'for leaders who print the sheet; without it the file is exactly the header and one row per entry, easy to import. ';

const csvRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/settlement.csv',
  tags: ['Settlement'],
  summary: 'The settlement as a spreadsheet: UTF-8 with BOM, a header row of Chinese headers, then one row per active entry',
  description: `${COLUMNS}A large sheet (over 2 MiB) is answered with 303 See Other to a short-lived download link; \`delivery=url\` always answers the link as JSON.`,
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam, query: sheetQuery },
  responses: csvExportResponses,
});

const xlsxRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/settlement.xlsx',
  tags: ['Settlement'],
  summary: 'The settlement as an xlsx workbook (what wx.openDocument opens): the same rows as settlement.csv, amounts as numbers',
  description: `${COLUMNS}Amounts are numbers in yuan with two decimals (a leader can sum them). In a mini-program: wx.downloadFile (with the token, or \`delivery=url\` for a link), then wx.openDocument({filePath, fileType: 'xlsx'}).`,
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam, query: sheetQuery },
  responses: xlsxExportResponses,
});

/** The sheet row by row as the entries are paged in: never the whole file in memory. */
async function* settlementRows(db: CampaignDb, snapshot: CampaignSnapshot, summary: SettlementSummary, withTotals: boolean) {
  yield SETTLEMENT_HEADERS;
  const money = await allPayments(db, snapshot.def.id);
  // Called off after settling: the frozen lines stay (who ordered what), each marked cancelled and owing nothing.
  const callOff = snapshot.state.status === 'cancelled' ? snapshot.state.callOff : null;
  for await (const entry of settlementEntries(db, summary))
    yield settlementCells(snapshot.def, entry, money.get(entry.entryId), callOff !== null);
  if (withTotals) yield* settlementFooterRows(summary, callOff);
}

export function settlementRoutes(deps: AppDeps) {
  const { db } = deps;
  // Reading the settlement (and its CSV, what is handed out where) is for the leader and helpers.
  const settled = async (id: string, user: TokenUser) => {
    const snapshot = await requireCampaign(db, id);
    await requireRole(db, snapshot, user, ['leader', 'helper'], 'see the settlement');
    if (!snapshot.settlement) throw new NotFoundError('This campaign is not settled yet');
    return { snapshot, summary: snapshot.settlement };
  };
  /** Both formats of the sheet, from the route's validated path and query. */
  const sheet = async (
    c: Context<AppEnv>,
    format: SheetFormat,
    { id }: { id: string },
    { totals, delivery }: { totals?: string | undefined; delivery: 'auto' | 'url' },
  ) => {
    const { snapshot, summary } = await settled(id, requireUser(c));
    return sheetExportResponse(c, deps, {
      campaignId: snapshot.def.id,
      sheet: 'settlement',
      title: `${snapshot.def.title}-结算`,
      rows: settlementRows(db, snapshot, summary, totals === '1' || totals === 'true'),
      delivery,
      format,
    });
  };
  return newRouter()
    .openapi(settleRoute, async (c) => {
      const user = requireUser(c);
      const { id } = c.req.valid('param');
      const snapshot = await requireCampaign(db, id);
      await requireRole(db, snapshot, user, ['leader'], 'settle the campaign');
      const summary = await settleCampaign(db, id, snapshot);
      // Settled just now, prepaid: 退差价 / full refunds of a failed group (the sweep finishes what this
      // cannot). A repeated settle leaves that to the sweep instead of walking the list again.
      if (!snapshot.settlement) await deps.money.afterSettlement(snapshot.def, summary);
      // Points reserved on entries: the unused part goes back (every settle request: idempotent, one Query when none).
      await settlePointHolds(db, id);
      const { limit, cursor } = c.req.valid('query');
      return c.json(await settlementPage(db, summary, limit, cursor), 200);
    })
    .openapi(getRoute, async (c) => {
      const { summary } = await settled(c.req.valid('param').id, requireUser(c));
      const { limit, cursor } = c.req.valid('query');
      return c.json(await settlementPage(db, summary, limit, cursor), 200);
    })
    .openapi(csvRoute, (c) => sheet(c, 'csv', c.req.valid('param'), c.req.valid('query')))
    .openapi(xlsxRoute, (c) => sheet(c, 'xlsx', c.req.valid('param'), c.req.valid('query')));
}
