import jsqr from 'jsqr';
import { PNG } from 'pngjs';

// jsqr is CommonJS with an ES-style default in its typings: under NodeNext the function is `.default`
// for the type checker, while vitest's interop may hand over either.
type Decode = typeof jsqr.default;
const decode: Decode = (jsqr as unknown as { default?: Decode }).default ?? (jsqr as unknown as Decode);

/** The text a PNG QR code holds (read by jsQR, as a phone's scanner would), or null; and the image's width. */
export function readQrPng(bytes: Uint8Array): { text: string | null; width: number } {
  const png = PNG.sync.read(Buffer.from(bytes));
  return { text: decode(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null, width: png.width };
}
