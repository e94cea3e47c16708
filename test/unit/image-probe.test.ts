import { describe, expect, it } from 'vitest';
import { probeImage } from '../../shared/domain/image-probe.js';
import { photoPng } from '../helpers/images.js';

/** A JPEG head as cameras write it: SOI, APP1 (EXIF) and APP0 segments, then the frame header SOF. */
function jpegHead(width: number, height: number, opts: { sof?: number; exifBytes?: number; fill?: boolean } = {}): Buffer {
  const segment = (marker: number, body: Buffer) => {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(body.length + 2);
    return Buffer.concat([Buffer.from([0xff, marker]), len, body]);
  };
  const sof = Buffer.alloc(15);
  sof[0] = 8; // precision
  sof.writeUInt16BE(height, 1);
  sof.writeUInt16BE(width, 3);
  sof[5] = 3; // components
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe1, Buffer.alloc(opts.exifBytes ?? 200, 0x45)),
    segment(0xe0, Buffer.from('JFIF\0\x01\x02\0\0\x01\0\x01\0\0', 'latin1')),
    ...(opts.fill ? [Buffer.from([0xff])] : []),
    segment(0xc4, Buffer.alloc(30)), // a Huffman table (C4 is not a frame header)
    segment(opts.sof ?? 0xc0, sof),
    Buffer.from([0xff, 0xda, 0x00, 0x02]),
  ]);
}

describe('probeImage', () => {
  it('reads a PNG’s size from its IHDR', () => {
    expect(probeImage(photoPng(321, 123))).toEqual({ type: 'image/png', width: 321, height: 123 });
  });

  it('reads a JPEG’s size from its frame header past EXIF, JFIF, fill bytes and tables; baseline and progressive', () => {
    expect(probeImage(jpegHead(1920, 1080))).toEqual({ type: 'image/jpeg', width: 1920, height: 1080 });
    expect(probeImage(jpegHead(750, 1000, { sof: 0xc2, exifBytes: 60_000, fill: true }))).toEqual({
      type: 'image/jpeg',
      width: 750,
      height: 1000,
    });
  });

  it('refuses what is not an image, a truncated head, a zero size and a JPEG whose scan comes before any frame header', () => {
    expect(probeImage(Buffer.from('<html><script>alert(1)</script></html>'))).toBeNull();
    expect(probeImage(Buffer.from('GIF89a........'))).toBeNull();
    expect(probeImage(photoPng(10, 10).subarray(0, 20))).toBeNull();
    expect(probeImage(jpegHead(640, 480).subarray(0, 240))).toBeNull();
    expect(probeImage(jpegHead(0, 480))).toBeNull();
    const noFrame = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x02]), Buffer.alloc(50)]);
    expect(probeImage(noFrame)).toBeNull();
    const png = photoPng(10, 10);
    png.write('IHDX', 12, 'latin1');
    expect(probeImage(png)).toBeNull();
  });
});
