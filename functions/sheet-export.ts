import type { Context } from 'hono';
import { csvRow, type SheetCell, UTF8_BOM } from '../shared/domain/index.js';
import { exportFile } from '../shared/storage/index.js';
import type { AppDeps, AppEnv } from './env.js';

/** The spreadsheet formats of an export route: CSV for importers, xlsx for wx.openDocument (which does not open csv). */
export type SheetFormat = 'csv' | 'xlsx';

const CONTENT_TYPE: Record<SheetFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export interface SheetExport {
  readonly campaignId: string;
  /** which sheet, part of the object key and the ASCII file name: settlement, payments */
  readonly sheet: string;
  /** the file name a person sees, without extension (e.g. "<title>-结算") */
  readonly title: string;
  /** the rows in order, header first: read once, as the file is written */
  readonly rows: AsyncIterable<readonly SheetCell[]>;
  readonly delivery: 'auto' | 'url';
  readonly format: SheetFormat;
}

async function* csvChunks(rows: AsyncIterable<readonly SheetCell[]>): AsyncGenerator<string> {
  let first = true;
  for await (const row of rows) {
    // Excel reads UTF-8 Chinese correctly only after a byte-order mark.
    yield first ? UTF8_BOM + csvRow(row) : csvRow(row);
    first = false;
  }
}

/**
 * A spreadsheet route's answer: the file in the body while it fits, else 303 See Other to a
 * presigned download of the copy just stored, or with `?delivery=url` always that link as JSON.
 * The xlsx writer is imported here, on the first xlsx export: no other request loads it.
 */
export async function sheetExportResponse(c: Context<AppEnv>, deps: AppDeps, sheet: SheetExport) {
  const file = `${sheet.title}.${sheet.format}`;
  const contentDisposition = `attachment; filename="${sheet.sheet}-${sheet.campaignId}.${sheet.format}"; filename*=UTF-8''${encodeURIComponent(file)}`;
  const chunks =
    sheet.format === 'csv' ? csvChunks(sheet.rows) : (await import('../shared/spreadsheets/index.js')).xlsxChunks(sheet.title, sheet.rows);
  const out = await exportFile(deps.exports, {
    campaignId: sheet.campaignId,
    sheet: sheet.sheet,
    ext: sheet.format,
    contentType: CONTENT_TYPE[sheet.format],
    contentDisposition,
    chunks,
    delivery: sheet.delivery,
  });
  if (out.kind === 'inline') {
    return c.body(out.body as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': CONTENT_TYPE[sheet.format],
      'Content-Disposition': contentDisposition,
    });
  }
  deps.logger.info('export stored', { requestId: c.get('requestId'), campaignId: sheet.campaignId, key: out.key, bytes: out.bytes });
  // The link is a bearer credential for ten minutes: no cache may keep it.
  c.header('Cache-Control', 'no-store');
  if (sheet.delivery === 'url') return c.json({ url: out.url, expiresAt: out.expiresAt, bytes: out.bytes }, 200);
  return c.redirect(out.url, 303);
}
