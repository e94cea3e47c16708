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

/** An export file: a CSV's text or an xlsx's bytes, with what it is served as. */
export interface FileExport {
  readonly campaignId: string;
  /** which sheet, part of the object key: settlement, payments */
  readonly sheet: string;
  readonly ext: 'csv' | 'xlsx';
  readonly contentType: string;
  /** the Content-Disposition the downloaded file carries */
  readonly contentDisposition: string;
  /** the file in order, row by row: read once, as it is written */
  readonly chunks: AsyncIterable<string | Uint8Array>;
  /** auto: inline while it fits, else stored; url: always stored (mini-programs download with wx.downloadFile) */
  readonly delivery: 'auto' | 'url';
}

export type FileDelivery =
  | { readonly kind: 'inline'; readonly body: Uint8Array; readonly bytes: number }
  | { readonly kind: 'stored'; readonly key: string; readonly url: string; readonly expiresAt: string; readonly bytes: number };

/** Random, so a link cannot be guessed from another; under exports/, which the bucket expires after a day. */
export function exportKey(campaignId: string, sheet: string, ext: 'csv' | 'xlsx' = 'csv'): string {
  return `exports/${campaignId}/${sheet}-${randomUUID()}.${ext}`;
}

/** Chunks handed to the upload are about this big: fewer, larger writes than one per row. */
const CHUNK_BYTES = 64 * 1024;

const toBytes = (chunk: string | Uint8Array) => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk);

/**
 * Reads the file until it is known to fit inline (answered as one body) or not; a larger one
 * streams, starting with what was read so far, into object storage and is answered as a link.
 * Never more than the inline limit and the parts in flight are in memory. Without storage
 * configured (a bare local run) every file is answered inline, as before exports existed.
 */
export async function exportFile(settings: ExportSettings | undefined, file: FileExport): Promise<FileDelivery> {
  if (file.delivery === 'url' && !settings) throw new ServiceUnavailableError('Download links need object storage (EXPORTS_BUCKET)');
  const limit = !settings ? Number.POSITIVE_INFINITY : file.delivery === 'url' ? -1 : settings.inlineMaxBytes;
  const rows = file.chunks[Symbol.asyncIterator]();
  let head: Uint8Array[] = [];
  let bytes = 0;
  while (bytes <= limit) {
    const next = await rows.next();
    if (next.done) return { kind: 'inline', body: Buffer.concat(head), bytes };
    const chunk = toBytes(next.value);
    head.push(chunk);
    bytes += chunk.byteLength;
  }
  const { store, urlTtlSeconds } = settings!;
  async function* body(): AsyncGenerator<Uint8Array> {
    let pending = head;
    let pendingBytes = bytes;
    head = [];
    for (;;) {
      if (pendingBytes >= CHUNK_BYTES) {
        yield Buffer.concat(pending);
        pending = [];
        pendingBytes = 0;
      }
      const next = await rows.next();
      if (next.done) break;
      const chunk = toBytes(next.value);
      pending.push(chunk);
      pendingBytes += chunk.byteLength;
    }
    if (pending.length > 0) yield Buffer.concat(pending);
  }
  const key = exportKey(file.campaignId, file.sheet, file.ext);
  const written = await store.upload(key, body(), { contentType: file.contentType, contentDisposition: file.contentDisposition });
  const link = await store.presignGet(key, urlTtlSeconds);
  return { kind: 'stored', key, bytes: written, ...link };
}
