import { createHash, randomUUID } from 'node:crypto';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { exportFile, type FileExport } from '../../shared/storage/file-export.js';
import { type ObjectStore, PART_BYTES, s3ObjectStore } from '../../shared/storage/object-store.js';

/** exportFile with a CSV against the run's local S3 server: the multipart path, and a failure half-way. */
const bucket = inject('s3Bucket');
const endpoint = inject('s3Endpoint');
const store = s3ObjectStore({ bucket, region: 'local', endpoint });
const settings = { store, inlineMaxBytes: 64 * 1024, urlTtlSeconds: 600 };
const s3 = new S3Client({
  endpoint,
  region: 'local',
  forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
});
afterAll(() => s3.destroy());

/** `rows` CSV rows of about 100 bytes, Chinese text included; `failAt`: throw instead of that row. */
async function* rows(count: number, hash: ReturnType<typeof createHash>, failAt = -1) {
  const header = '\uFEFF接龙号,昵称,商品明细\r\n';
  hash.update(header);
  yield header;
  for (let i = 1; i <= count; i++) {
    if (i === failAt) throw new Error('the table went away');
    const row = `${i},邻居${i},"阳光玫瑰 2斤装(2斤)×${i % 5}；鸡蛋 30枚×1；大米 10斤×2"\r\n`;
    hash.update(row);
    yield row;
  }
}

/** The real store, noting the keys it is asked to write (S3rver cannot list objects with the SDK's signing). */
function recording(): ObjectStore & { keys: string[] } {
  const keys: string[] = [];
  return {
    keys,
    bucket: store.bucket,
    upload: (key, chunks, meta) => {
      keys.push(key);
      return store.upload(key, chunks, meta);
    },
    presignGet: (key, ttl) => store.presignGet(key, ttl),
    putBytes: (key, bytes, meta) => store.putBytes(key, bytes, meta),
    getBytes: (key) => store.getBytes(key),
  };
}

async function exists(key: string) {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (err) {
    if ((err as { name?: string }).name === 'NotFound') return false;
    throw err;
  }
}

const exportCsv = (s: typeof settings, csv: Omit<FileExport, 'ext' | 'contentType'>) =>
  exportFile(s, { ...csv, ext: 'csv', contentType: 'text/csv; charset=utf-8' });

describe('exportFile (CSV)', () => {
  it('streams a file of several parts into one object whose download is every byte, in order', async () => {
    const campaignId = `c_${randomUUID()}`;
    const expected = createHash('sha256');
    const count = 150_000; // ~14 MiB: three multipart parts
    const out = await exportCsv(settings, {
      campaignId,
      sheet: 'settlement',
      contentDisposition: 'attachment; filename="s.csv"',
      chunks: rows(count, expected),
      delivery: 'auto',
    });
    expect(out.kind).toBe('stored');
    if (out.kind !== 'stored') return;
    expect(out.bytes).toBeGreaterThan(2 * PART_BYTES);
    expect(out.key).toMatch(new RegExp(`^exports/${campaignId}/settlement-`));
    const res = await fetch(out.url);
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.length).toBe(out.bytes);
    expect(createHash('sha256').update(body).digest('hex')).toBe(expected.digest('hex'));
  });

  it('a CSV that fails half-way rejects and leaves no object behind', async () => {
    const campaignId = `c_${randomUUID()}`;
    const spy = recording();
    const failing = exportCsv(
      { ...settings, store: spy },
      {
        campaignId,
        sheet: 'payments',
        contentDisposition: 'attachment',
        chunks: rows(150_000, createHash('sha256'), 120_000),
        delivery: 'auto',
      },
    );
    await expect(failing).rejects.toThrow('the table went away');
    expect(spy.keys).toHaveLength(1);
    expect(await exists(spy.keys[0]!)).toBe(false);
  });

  it('up to the limit the CSV is answered inline and nothing is stored', async () => {
    const campaignId = `c_${randomUUID()}`;
    const spy = recording();
    const out = await exportCsv(
      { ...settings, store: spy },
      {
        campaignId,
        sheet: 'payments',
        contentDisposition: 'attachment',
        chunks: rows(100, createHash('sha256')),
        delivery: 'auto',
      },
    );
    expect(out.kind).toBe('inline');
    expect(out.bytes).toBeLessThanOrEqual(settings.inlineMaxBytes);
    expect(spy.keys).toEqual([]);
  });
});
