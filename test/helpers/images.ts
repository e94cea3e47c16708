import { PNG } from 'pngjs';
import type { UploadForm } from '../../shared/images/index.js';

/** A real, decodable PNG of this size (a gradient), with `marker` appended after IEND (the fake WeChat's verdict, browsers ignore it). */
export function photoPng(width: number, height: number, marker?: string): Buffer {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      png.data[i] = (x * 255) / width;
      png.data[i + 1] = (y * 255) / height;
      png.data[i + 2] = 160;
      png.data[i + 3] = 255;
    }
  }
  const bytes = PNG.sync.write(png);
  return marker ? Buffer.concat([bytes, Buffer.from(marker, 'latin1')]) : bytes;
}

/** What wx.uploadFile does with a form: POST the fields, then the file as `file`. */
export async function uploadTo(
  form: UploadForm,
  bytes: Uint8Array,
  type = form.fields['Content-Type'] ?? 'image/png',
  extra: Record<string, string> = {},
) {
  const body = new FormData();
  for (const [k, v] of Object.entries({ ...form.fields, ...extra })) body.append(k, k === 'Content-Type' ? type : v);
  body.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), 'photo');
  const res = await fetch(form.url, { method: 'POST', body });
  return { status: res.status, text: await res.text() };
}
