import type { ImageType } from './images.js';

/**
 * What an uploaded file really is, from its first bytes: its type by magic number and its pixel
 * size from the PNG IHDR chunk or the JPEG frame header. An upload's declared Content-Type is the
 * uploader's word; this is the file's, so a page or a script renamed .png is never attached.
 */
export interface ImageProbe {
  type: ImageType;
  width: number;
  height: number;
}

/** Enough of the head of a file to reach the JPEG frame header past EXIF and ICC segments in practice. */
export const PROBE_BYTES = 128 * 1024;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function probeImage(head: Uint8Array): ImageProbe | null {
  if (PNG_SIGNATURE.every((b, i) => head[i] === b)) return probePng(head);
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return probeJpeg(head);
  return null;
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
}

function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) + b[at + 1]!;
}

function probePng(b: Uint8Array): ImageProbe | null {
  // Signature (8), then the first chunk must be IHDR: length 13, type, width, height.
  if (b.length < 24 || String.fromCharCode(b[12]!, b[13]!, b[14]!, b[15]!) !== 'IHDR') return null;
  const width = u32(b, 16);
  const height = u32(b, 20);
  return width > 0 && height > 0 ? { type: 'image/png', width, height } : null;
}

/** Start-of-frame markers carry the size: C0–CF except C4 (DHT), C8 (JPG) and CC (DAC). */
const isFrameMarker = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function probeJpeg(b: Uint8Array): ImageProbe | null {
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return null;
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    // Markers without a length: standalone RSTn, TEM; SOS means the frame header was missing.
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return null;
    const length = u16(b, at + 2);
    if (length < 2) return null;
    if (isFrameMarker(marker)) {
      if (at + 9 > b.length) return null;
      const height = u16(b, at + 5);
      const width = u16(b, at + 7);
      return width > 0 && height > 0 ? { type: 'image/jpeg', width, height } : null;
    }
    at += 2 + length;
  }
  return null;
}
