import { randomUUID } from 'node:crypto';
import { ServiceUnavailableError } from '../errors.js';
import type { ObjectStore } from './object-store.js';

/** Where large exports go, and when an export is large. */
export interface ExportSettings {
  readonly store: ObjectStore;
  /** A CSV up to this many bytes is answered in the response body; a larger one is stored and linked. */
  readonly inlineMaxBytes: number;
  /** How long a download link works. */
  readonly urlTtlSeconds: number;
}

/**
 * Lambda answers at most 6 MB, counted on the JSON it returns to API Gateway, where every `"`
 * and line break of the CSV is escaped (up to twice the bytes): 2 MiB inline stays under that
 * whatever the cells hold, and is still a few thousand rows for a phone to fetch in one go.
 */
export const DEFAULT_INLINE_MAX_BYTES = 2 * 1024 * 1024;
/** Long enough to tap the link, short enough that a forwarded one soon stops working. */
export const DEFAULT_URL_TTL_SECONDS = 600;

export type CsvDelivery =
  | { readonly kind: 'inline'; readonly body: string; readonly bytes: number }
  | { readonly kind: 'stored'; readonly key: string; readonly url: string; readonly expiresAt: string; readonly bytes: number };

export interface CsvExport {
  readonly campaignId: string;
  /** which sheet, part of the object key: settlement, payments */
  readonly sheet: string;
  /** the Content-Disposition the downloaded file carries */
  readonly contentDisposition: string;
  /** the file's text in order, row by row: read once, as it is written */
  readonly chunks: AsyncIterable<string>;
  /** auto: inline while it fits, else stored; url: always stored (mini-programs download with wx.downloadFile) */
  readonly delivery: 'auto' | 'url';
}

/** Random, so a link cannot be guessed from another; under exports/, which the bucket expires after a day. */
export function exportKey(campaignId: string, sheet: string): string {
  return `exports/${campaignId}/${sheet}-${randomUUID()}.csv`;
}

/** Chunks handed to the upload are about this big: fewer, larger writes than one per row. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Reads the CSV until it is known to fit inline (answered as one string) or not; a larger one
 * streams, starting with what was read so far, into object storage and is answered as a link.
 * Never more than the inline limit and the parts in flight are in memory. Without storage
 * configured (a bare local run) every CSV is answered inline, as before exports existed.
 */
export async function exportCsv(settings: ExportSettings | undefined, csv: CsvExport): Promise<CsvDelivery> {
  if (csv.delivery === 'url' && !settings) throw new ServiceUnavailableError('Download links need object storage (EXPORTS_BUCKET)');
  const limit = !settings ? Number.POSITIVE_INFINITY : csv.delivery === 'url' ? -1 : settings.inlineMaxBytes;
  const rows = csv.chunks[Symbol.asyncIterator]();
  let head: string[] = [];
  let bytes = 0;
  while (bytes <= limit) {
    const next = await rows.next();
    if (next.done) return { kind: 'inline', body: head.join(''), bytes };
    head.push(next.value);
    bytes += Buffer.byteLength(next.value);
  }
  const { store, urlTtlSeconds } = settings!;
  async function* body(): AsyncGenerator<Uint8Array> {
    let pending = head;
    let pendingBytes = bytes;
    head = [];
    for (;;) {
      if (pendingBytes >= CHUNK_BYTES) {
        yield Buffer.from(pending.join(''));
        pending = [];
        pendingBytes = 0;
      }
      const next = await rows.next();
      if (next.done) break;
      pending.push(next.value);
      pendingBytes += Buffer.byteLength(next.value);
    }
    if (pending.length > 0) yield Buffer.from(pending.join(''));
  }
  const key = exportKey(csv.campaignId, csv.sheet);
  const written = await store.upload(key, body(), { contentType: 'text/csv; charset=utf-8', contentDisposition: csv.contentDisposition });
  const link = await store.presignGet(key, urlTtlSeconds);
  return { kind: 'stored', key, bytes: written, ...link };
}
