import type { Context } from 'hono';
import { type CsvExport, exportCsv } from '../shared/storage/index.js';
import type { AppDeps, AppEnv } from './env.js';

/**
 * A CSV route's answer: the file in the body while it fits, else 303 See Other to a presigned
 * download of the copy just stored, or with `?delivery=url` always that link as JSON.
 */
export async function csvExportResponse(
  c: Context<AppEnv>,
  deps: AppDeps,
  csv: Omit<CsvExport, 'contentDisposition'> & { readonly filename: string },
) {
  const contentDisposition = `attachment; filename="${csv.sheet}-${csv.campaignId}.csv"; filename*=UTF-8''${encodeURIComponent(csv.filename)}`;
  const out = await exportCsv(deps.exports, { ...csv, contentDisposition });
  if (out.kind === 'inline') {
    return c.body(out.body, 200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': contentDisposition });
  }
  deps.logger.info('export stored', { requestId: c.get('requestId'), campaignId: csv.campaignId, key: out.key, bytes: out.bytes });
  // The link is a bearer credential for ten minutes: no cache may keep it.
  c.header('Cache-Control', 'no-store');
  if (csv.delivery === 'url') return c.json({ url: out.url, expiresAt: out.expiresAt, bytes: out.bytes }, 200);
  return c.redirect(out.url, 303);
}
