import { Readable } from 'node:stream';
import { crc32, createDeflateRaw } from 'node:zlib';

/**
 * A ZIP archive written as it is read (what an xlsx file is), for files whose biggest part is
 * produced row by row: every entry is deflated as a stream and followed by a data descriptor
 * (general-purpose flag bit 3), so nothing needs its size or CRC before its bytes are out. UTF-8
 * names (bit 11). No ZIP64: an export is far below 4 GiB.
 */
export interface ZipEntry {
  readonly name: string;
  readonly data: AsyncIterable<Uint8Array> | Uint8Array;
}

const FLAGS = 0x0808; // bit 3: sizes and CRC in a data descriptor; bit 11: UTF-8 names
const DEFLATE = 8;
// 1980-01-01 00:00 in DOS time: a fixed stamp keeps the same rows the same bytes.
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

function localHeader(name: Buffer): Buffer {
  const b = Buffer.alloc(30);
  b.writeUInt32LE(0x04034b50, 0);
  b.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
  b.writeUInt16LE(FLAGS, 6);
  b.writeUInt16LE(DEFLATE, 8);
  b.writeUInt16LE(DOS_TIME, 10);
  b.writeUInt16LE(DOS_DATE, 12);
  // CRC and sizes (14..25) stay 0: they follow in the data descriptor
  b.writeUInt16LE(name.length, 26);
  return Buffer.concat([b, name]);
}

function dataDescriptor(crc: number, compressed: number, size: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(0x08074b50, 0);
  b.writeUInt32LE(crc >>> 0, 4);
  b.writeUInt32LE(compressed, 8);
  b.writeUInt32LE(size, 12);
  return b;
}

interface Written {
  name: Buffer;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

function centralEntry(e: Written): Buffer {
  const b = Buffer.alloc(46);
  b.writeUInt32LE(0x02014b50, 0);
  b.writeUInt16LE(20, 4); // made by: 2.0
  b.writeUInt16LE(20, 6);
  b.writeUInt16LE(FLAGS, 8);
  b.writeUInt16LE(DEFLATE, 10);
  b.writeUInt16LE(DOS_TIME, 12);
  b.writeUInt16LE(DOS_DATE, 14);
  b.writeUInt32LE(e.crc >>> 0, 16);
  b.writeUInt32LE(e.compressed, 20);
  b.writeUInt32LE(e.size, 24);
  b.writeUInt16LE(e.name.length, 28);
  b.writeUInt32LE(e.offset, 42);
  return Buffer.concat([b, e.name]);
}

function endOfDirectory(count: number, size: number, offset: number): Buffer {
  const b = Buffer.alloc(22);
  b.writeUInt32LE(0x06054b50, 0);
  b.writeUInt16LE(count, 8);
  b.writeUInt16LE(count, 10);
  b.writeUInt32LE(size, 12);
  b.writeUInt32LE(offset, 16);
  return b;
}

async function* asChunks(data: AsyncIterable<Uint8Array> | Uint8Array): AsyncGenerator<Uint8Array> {
  if (data instanceof Uint8Array) yield data;
  else yield* data;
}

/** The archive's bytes, entry by entry; a failing entry source fails the archive (nothing half-valid is yielded as done). */
export async function* zipStream(entries: Iterable<ZipEntry>): AsyncGenerator<Uint8Array> {
  const written: Written[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const header = localHeader(name);
    yield header;
    const start = offset;
    offset += header.length;
    let crc = 0;
    let size = 0;
    let sourceError: unknown;
    const raw = Readable.from(
      (async function* () {
        try {
          for await (const chunk of asChunks(entry.data)) {
            crc = crc32(chunk, crc);
            size += chunk.byteLength;
            yield chunk;
          }
        } catch (err) {
          sourceError = err;
          throw err;
        }
      })(),
    );
    const deflate = createDeflateRaw();
    raw.on('error', (err) => deflate.destroy(err));
    raw.pipe(deflate);
    let compressed = 0;
    try {
      for await (const out of deflate) {
        compressed += (out as Buffer).length;
        yield out as Buffer;
      }
    } catch (err) {
      throw sourceError ?? err;
    }
    if (sourceError) throw sourceError;
    const descriptor = dataDescriptor(crc, compressed, size);
    yield descriptor;
    offset += compressed + descriptor.length;
    written.push({ name, crc, compressed, size, offset: start });
  }
  const directory = Buffer.concat(written.map(centralEntry));
  yield directory;
  yield endOfDirectory(written.length, directory.length, offset);
}
