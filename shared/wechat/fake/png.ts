import { crc32, deflateSync, inflateSync } from 'node:zlib';

/**
 * Just enough PNG for the fake WeChat's 小程序码: a real, decodable image (8-bit grayscale) that
 * carries its scene and width in tEXt chunks, so a test can read back what WeChat was asked for.
 */
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([head, body, crc]);
}

/** A `size`×`size` grayscale picture (a checkered pattern) with `text` as tEXt chunks. */
export function encodePng(size: number, text: Record<string, string>): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grayscale
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(size + 1); // filter byte 0, then one byte a pixel
    for (let x = 0; x < size; x++) row[x + 1] = ((x >> 3) + (y >> 3)) % 2 === 0 ? 0 : 255;
    rows.push(row);
  }
  const texts = Object.entries(text).map(([k, v]) => chunk('tEXt', Buffer.from(`${k}\u0000${v}`, 'latin1')));
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', ihdr),
    ...texts,
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A PNG's size and tEXt chunks, checking the signature, every CRC and that the pixels inflate to the right length. */
export function decodePng(bytes: Uint8Array): { width: number; height: number; text: Record<string, string> } {
  const buf = Buffer.from(bytes);
  if (!buf.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG');
  let at = 8;
  let width = 0;
  let height = 0;
  const text: Record<string, string> = {};
  const idat: Buffer[] = [];
  for (;;) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + length);
    if (crc32(buf.subarray(at + 4, at + 8 + length)) !== buf.readUInt32BE(at + 8 + length)) throw new Error(`bad CRC in ${type}`);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
    } else if (type === 'tEXt') {
      const nul = data.indexOf(0);
      text[data.toString('latin1', 0, nul)] = data.toString('latin1', nul + 1);
    } else if (type === 'IDAT') idat.push(data);
    at += 12 + length;
    if (type === 'IEND') break;
  }
  if (inflateSync(Buffer.concat(idat)).length !== height * (width + 1)) throw new Error('pixel data of the wrong size');
  return { width, height, text };
}
