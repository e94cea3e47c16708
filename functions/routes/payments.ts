import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { TokenUser } from '../../shared/auth/index.js';
import {
  type CampaignSnapshot,
  requireCampaign,
  requireEntryOwner,
  requireEntryOwnerOrStaff,
  requireRole,
} from '../../shared/campaigns/index.js';
import {
  addToTotals,
  effectiveEntry,
  emptyPaymentTotals,
  PAYMENT_HEADERS,
  paymentCells,
  paymentLine,
  paymentsFooterRows,
} from '../../shared/domain/index.js';
import { requireEntry } from '../../shared/entries/index.js';
import { ValidationError } from '../../shared/errors.js';
import {
  getPayment,
  listLedger,
  listRefunds,
  markOfflinePayment,
  paymentLines,
  paymentReport,
  type RefundRecord,
} from '../../shared/money/index.js';
import { decodeCursor, keys, toEntry } from '../../shared/table/index.js';
import { orderToPay, syncEntryPayment } from '../../shared/use-cases/index.js';
import type { AppDeps, AppEnv } from '../env.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { bearer, CampaignIdParam, errors, jsonResponse, pageQuery } from '../schemas/common.js';
import { EntryParams } from '../schemas/entry.js';
import { csvExportResponses, DeliveryQuery, xlsxExportResponses } from '../schemas/export.js';
import {
  LedgerPageSchema,
  MarkPaymentBody,
  PaymentLineSchema,
  PaymentsViewSchema,
  PrepayViewSchema,
  RefundSchema,
} from '../schemas/payment.js';
import { type SheetFormat, sheetExportResponse } from '../sheet-export.js';
import { newRouter } from '../validation.js';

const viewRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/payments',
  tags: ['Payments'],
  summary: 'Who paid what (leader and helpers): per entry the amount due, paid, refunded and the balance (补款 / 退款), with totals',
  description:
    'Lines in 接龙 order: every active entry, and any cancelled entry that has money on it. Totals cover all lines, not just the page.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam, query: pageQuery(2000) },
  responses: {
    200: jsonResponse(PaymentsViewSchema, 'A page of payment lines and the totals'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
  },
});

const csvRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/payments.csv',
  tags: ['Payments'],
  summary: 'The payments view as a spreadsheet (UTF-8 with BOM): one row per line, then the totals',
  description:
    'A large sheet (over 2 MiB) is answered with 303 See Other to a short-lived download link; `delivery=url` always answers the link as JSON.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam, query: z.object({ delivery: DeliveryQuery }) },
  responses: csvExportResponses,
});

const xlsxRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/payments.xlsx',
  tags: ['Payments'],
  summary: 'The payments view as an xlsx workbook (what wx.openDocument opens): the same rows as payments.csv, amounts as numbers',
  description:
    'A large workbook (over 2 MiB) is answered with 303 See Other to a short-lived download link; `delivery=url` always answers the link as JSON.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam, query: z.object({ delivery: DeliveryQuery }) },
  responses: xlsxExportResponses,
});

/** The collection sheet row by row as the entries are paged in; the totals, summed on the way, close it. */
async function* paymentRows(db: AppDeps['db'], snapshot: CampaignSnapshot) {
  yield PAYMENT_HEADERS;
  const totals = emptyPaymentTotals();
  for await (const line of paymentLines(db, snapshot)) {
    addToTotals(totals, line);
    yield paymentCells(line);
  }
  yield* paymentsFooterRows(totals);
}

const markRoute = createRoute({
  method: 'put',
  path: '/campaigns/{id}/entries/{entryId}/payment',
  tags: ['Payments'],
  summary:
    'Offline campaigns: the leader or a helper records what an entry has paid in total (or unpaid). Repeating the same amount changes nothing',
  description:
    'Every change is an immutable offline_marked event in the ledger. A wechatpay campaign is 409 INVALID_STATE: its payments come from WeChat.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: EntryParams, body: { required: true, content: { 'application/json': { schema: MarkPaymentBody } } } },
  responses: {
    200: jsonResponse(PaymentLineSchema, "The entry's payment line"),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
  },
});

const lineRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/entries/{entryId}/payment',
  tags: ['Payments'],
  summary: "An entry's payment line: for its member, the leader and helpers",
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: EntryParams },
  responses: { 200: jsonResponse(PaymentLineSchema, "The entry's payment line"), 401: errors[401], 403: errors[403], 404: errors[404] },
});

const ledgerRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/ledger',
  tags: ['Payments'],
  summary: 'The immutable money events of a campaign (leader and helpers), grouped by entry, for audit',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam, query: pageQuery(1000) },
  responses: {
    200: jsonResponse(LedgerPageSchema, 'A page of ledger events'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
  },
});

const prepayRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/entries/{entryId}/payment/prepay',
  tags: ['Payments'],
  summary:
    'wechatpay campaigns: the order the entry should pay now (its join while held, or a top-up after raising the quantity), with the wx.requestPayment parameters',
  description:
    'Safe to repeat: the same order comes back. 409 INVALID_STATE when nothing is due (paid, expired, cancelled) or the campaign is offline.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: EntryParams },
  responses: {
    200: jsonResponse(PrepayViewSchema, 'The order to pay'),
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
    429: errors[429],
    502: errors[502],
    503: errors[503],
  },
});

const syncRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/entries/{entryId}/payment/sync',
  tags: ['Payments'],
  summary:
    "Ask WeChat Pay about the entry's unpaid orders and record what was paid (call it after wx.requestPayment succeeds: the notification may come later, or never)",
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: EntryParams },
  responses: {
    200: jsonResponse(PaymentLineSchema, "The entry's payment line after the check"),
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
    429: errors[429],
    502: errors[502],
    503: errors[503],
  },
});

const refundsRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/refunds',
  tags: ['Payments'],
  summary: 'Refunds of a wechatpay campaign (leader and helpers): amount, purpose, state, attempts and the last failure reason',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CampaignIdParam },
  responses: {
    200: jsonResponse(z.object({ refunds: z.array(RefundSchema) }).openapi('RefundList'), 'Every refund, in 接龙 order'),
    401: errors[401],
    403: errors[403],
    404: errors[404],
  },
});

const retryRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/refunds/{outRefundNo}/retry',
  tags: ['Payments'],
  summary:
    'Leader: try a refund that failed for good again: the same out_refund_no (so it can never pay out twice), or, when WeChat Pay CLOSED it unpaid, a new one (`<out_refund_no>-r2`, …) for what the order still has refundable',
  security: bearer,
  middleware: [signedIn] as const,
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .openapi({ param: { name: 'id', in: 'path' } }),
      outRefundNo: z
        .string()
        .min(1)
        .openapi({ param: { name: 'outRefundNo', in: 'path' } }),
    }),
  },
  responses: {
    200: jsonResponse(RefundSchema, 'The refund after the new attempt (the new refund, when a closed one was retried)'),
    401: errors[401],
    403: errors[403],
    404: errors[404],
    409: errors[409],
  },
});

/** Pages of the payments view continue after the last seq shown. */
const seqCursor = {
  encode: (seq: number) => Buffer.from(`seq:${seq}`).toString('base64url'),
  decode(cursor: string | undefined): number {
    if (!cursor) return 0;
    const match = /^seq:(\d{1,12})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!match) throw new ValidationError('Invalid cursor', { fields: [{ path: 'query.cursor', message: 'not a cursor from this list' }] });
    return Number(match[1]);
  },
};

export function paymentRoutes(deps: AppDeps) {
  const { db } = deps;
  /** An entry's payment is for its member, the leader and helpers. */
  const entryForMemberOrStaff = async (id: string, entryId: string, user: TokenUser, verb: string) => {
    const snapshot = await requireCampaign(db, id);
    const record = await requireEntry(db, id, entryId);
    await requireEntryOwnerOrStaff(db, snapshot.def, record, user.id, verb);
    return { snapshot, record };
  };
  const staff = async (id: string, user: TokenUser, action: string): Promise<CampaignSnapshot> => {
    const snapshot = await requireCampaign(db, id);
    await requireRole(db, snapshot, user, ['leader', 'helper'], action);
    return snapshot;
  };
  /** Both formats of the sheet, from the route's validated path and query. */
  const paymentSheet = async (
    c: Context<AppEnv>,
    format: SheetFormat,
    { id }: { id: string },
    { delivery }: { delivery: 'auto' | 'url' },
  ) => {
    const snapshot = await staff(id, requireUser(c), 'see payments');
    return sheetExportResponse(c, deps, {
      campaignId: snapshot.def.id,
      sheet: 'payments',
      title: `${snapshot.def.title}-收款`,
      rows: paymentRows(db, snapshot),
      delivery,
      format,
    });
  };
  return newRouter()
    .openapi(viewRoute, async (c) => {
      const snapshot = await staff(c.req.valid('param').id, requireUser(c), 'see payments');
      const { limit, cursor } = c.req.valid('query');
      const after = seqCursor.decode(cursor);
      const { lines, totals } = await paymentReport(db, snapshot);
      const rest = lines.filter((l) => l.seq > after);
      const page = rest.slice(0, limit);
      return c.json(
        {
          campaignId: snapshot.def.id,
          paymentMode: snapshot.def.paymentMode,
          settlementStatus: snapshot.settlement?.status ?? null,
          totals,
          entries: page,
          nextCursor: rest.length > limit ? seqCursor.encode(page[page.length - 1]!.seq) : null,
        },
        200,
      );
    })
    .openapi(csvRoute, (c) => paymentSheet(c, 'csv', c.req.valid('param'), c.req.valid('query')))
    .openapi(xlsxRoute, (c) => paymentSheet(c, 'xlsx', c.req.valid('param'), c.req.valid('query')))
    .openapi(markRoute, async (c) => {
      const user = requireUser(c);
      const { id, entryId } = c.req.valid('param');
      const snapshot = await staff(id, user, 'mark payments');
      const record = await requireEntry(db, id, entryId);
      const entry = effectiveEntry(toEntry(record), snapshot.state);
      const body = c.req.valid('json');
      const due = paymentLine(snapshot.def, entry, snapshot.settlement, undefined).amountDue;
      const received = body.status === 'unpaid' ? 0 : (body.amount ?? due);
      const money = await markOfflinePayment(db, snapshot.def, record, received, user.id);
      deps.logger.info('offline payment marked', { requestId: c.get('requestId'), campaignId: id, entryId, received });
      return c.json(paymentLine(snapshot.def, entry, snapshot.settlement, money), 200);
    })
    .openapi(lineRoute, async (c) => {
      const user = requireUser(c);
      const { id, entryId } = c.req.valid('param');
      const { snapshot, record } = await entryForMemberOrStaff(id, entryId, user, 'see');
      const money = await getPayment(db, id, entryId);
      return c.json(
        paymentLine(snapshot.def, effectiveEntry(toEntry(record), snapshot.state), snapshot.settlement, money ?? undefined),
        200,
      );
    })
    .openapi(prepayRoute, async (c) => {
      const user = requireUser(c);
      const { id, entryId } = c.req.valid('param');
      const snapshot = await requireCampaign(db, id);
      const record = await requireEntry(db, id, entryId);
      requireEntryOwner(record, user.id, 'Only the member who joined pays for the entry');
      return c.json(await orderToPay(deps, snapshot, toEntry(record), user.id), 200);
    })
    .openapi(syncRoute, async (c) => {
      const user = requireUser(c);
      const { id, entryId } = c.req.valid('param');
      const { snapshot } = await entryForMemberOrStaff(id, entryId, user, 'check');
      await syncEntryPayment(deps, snapshot, entryId, user.id);
      const after = await requireEntry(db, id, entryId);
      const money = (await getPayment(db, id, entryId)) ?? undefined;
      return c.json(paymentLine(snapshot.def, effectiveEntry(toEntry(after), snapshot.state), snapshot.settlement, money), 200);
    })
    .openapi(refundsRoute, async (c) => {
      const { id } = c.req.valid('param');
      await staff(id, requireUser(c), 'see refunds');
      return c.json({ refunds: (await listRefunds(db, id)).map(refundView) }, 200);
    })
    .openapi(retryRoute, async (c) => {
      const user = requireUser(c);
      const { id, outRefundNo } = c.req.valid('param');
      const snapshot = await requireCampaign(db, id);
      await requireRole(db, snapshot, user, ['leader'], 'retry refunds');
      deps.money.requirePrepaid(snapshot.def);
      return c.json(refundView(await deps.money.retryFailedRefund(id, outRefundNo)), 200);
    })
    .openapi(ledgerRoute, async (c) => {
      const { id } = c.req.valid('param');
      await staff(id, requireUser(c), 'see the ledger');
      const { limit, cursor } = c.req.valid('query');
      // The ledger is a range of the campaign's partition: a cursor outside it would reach DynamoDB as a 500.
      decodeCursor(cursor, { pk: keys.campaignPartition(id), skPrefix: keys.ledgerPrefix() });
      return c.json(await listLedger(db, id, limit, cursor), 200);
    });
}

function refundView(r: RefundRecord) {
  return {
    outRefundNo: r.outRefundNo,
    outTradeNo: r.outTradeNo,
    entryId: r.entryId,
    seq: r.seq,
    amount: r.amount,
    purpose: r.purpose,
    state: r.state,
    attempts: r.attempts,
    lastError: r.lastError,
    nextAttemptAt: r.nextAttemptAt,
    replacedBy: r.replacedBy ?? null,
    retryOf: r.retryOf ?? null,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}
