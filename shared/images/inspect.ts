import {
  IMAGE_LIMITS,
  IMAGE_TYPES,
  IMAGE_VARIANTS,
  type ImageType,
  type ImageVariant,
  PROBE_BYTES,
  probeImage,
  uploadKey,
} from '../domain/index.js';
import { UploadInvalidError } from '../errors.js';
import type { MediaStore } from '../storage/index.js';

export type InspectedUpload = { type: ImageType; sizes: Record<ImageVariant, { bytes: number; width: number; height: number }> };

/** What the two uploaded sizes are, checked by their bytes: present, within the size's limits, a real PNG or JPEG of one type. */
export async function inspectUploads(store: MediaStore, campaignId: string, uploadId: string): Promise<InspectedUpload> {
  const found = await Promise.all(
    IMAGE_VARIANTS.map(async (variant) => {
      const key = uploadKey(campaignId, uploadId, variant);
      const [head, bytes] = await Promise.all([store.head(key), store.readHead(key, PROBE_BYTES)]);
      return { variant, head, bytes };
    }),
  );
  let type: ImageType | null = null;
  const out = {} as Record<ImageVariant, { bytes: number; width: number; height: number }>;
  for (const { variant, head, bytes } of found) {
    const limits = IMAGE_LIMITS[variant];
    if (!head || !bytes)
      throw new UploadInvalidError(`The ${variant} size was not uploaded (or its upload expired)`, { variant, problem: 'missing' });
    if (head.bytes > limits.maxBytes) {
      throw new UploadInvalidError(`The ${variant} size is over ${limits.maxBytes} bytes`, {
        variant,
        problem: 'too-large',
        maxBytes: limits.maxBytes,
      });
    }
    const probe = probeImage(bytes);
    if (!probe || probe.type !== head.contentType || !(IMAGE_TYPES as readonly string[]).includes(head.contentType)) {
      throw new UploadInvalidError(`The ${variant} size is not the PNG or JPEG it was uploaded as`, { variant, problem: 'not-an-image' });
    }
    if (type !== null && probe.type !== type) {
      throw new UploadInvalidError('Both sizes must be of one type', { variant, problem: 'mixed-types' });
    }
    type = probe.type;
    if (probe.width > limits.maxWidth) {
      throw new UploadInvalidError(`The ${variant} size is ${probe.width} px wide, over ${limits.maxWidth}`, {
        variant,
        problem: 'too-wide',
        maxWidth: limits.maxWidth,
      });
    }
    out[variant] = { bytes: head.bytes, width: probe.width, height: probe.height };
  }
  return { type: type as ImageType, sizes: out };
}
