import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';

/** What an object is served as: the file type and the name a browser saves it under. */
export interface ObjectMeta {
  readonly contentType: string;
  /** Stored on the object, so a presigned GET needs no response overrides (S3 serves it as is). */
  readonly contentDisposition?: string;
}

export interface PresignedGet {
  readonly url: string;
  /** ISO time at which the URL stops working */
  readonly expiresAt: string;
}

/** The object storage an export is written to and handed out from (S3, or a local S3-compatible server). */
export interface ObjectStore {
  readonly bucket: string;
  /**
   * Writes the chunks, as they come, into one object: a single PutObject when they fit in one
   * part, else a multipart upload (parts of PART_BYTES), aborted on failure. Resolves to the bytes written.
   */
  upload(key: string, chunks: AsyncIterable<Uint8Array>, meta: ObjectMeta): Promise<number>;
  /** A GET URL anyone holding it can use until it expires (no credentials, so wx.downloadFile can fetch it). */
  presignGet(key: string, ttlSeconds: number): Promise<PresignedGet>;
  /** A small object (a 小程序码) in one PutObject. */
  putBytes(key: string, bytes: Uint8Array, meta: ObjectMeta): Promise<void>;
  /** A small object's bytes and type, or null when there is none under the key. */
  getBytes(key: string): Promise<{ bytes: Uint8Array; contentType: string } | null>;
}

export interface S3StoreOptions {
  readonly bucket: string;
  readonly region: string;
  /** A local S3-compatible server (npm start, tests): path-style URLs and its fixed development key. */
  readonly endpoint?: string;
}

/** S3's smallest multipart part (except the last); also what the upload holds in memory per part in flight. */
export const PART_BYTES = 5 * 1024 * 1024;
/** Parts uploaded at once: memory stays near PART_BYTES × (QUEUE + 1) whatever the file's size. */
const QUEUE = 2;
/** The key pair S3rver (the local server, shared/local) accepts; never used against AWS. */
const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export function s3ObjectStore(opts: S3StoreOptions): ObjectStore {
  let client: Promise<S3Client> | undefined;
  // Loaded on the first export, not at cold start: most requests never touch S3.
  const s3 = () =>
    (client ??= import('@aws-sdk/client-s3').then(
      ({ S3Client }) =>
        new S3Client({
          region: opts.region,
          ...(opts.endpoint ? { endpoint: opts.endpoint, forcePathStyle: true, credentials: LOCAL_CREDENTIALS } : {}),
        }),
    ));
  return {
    bucket: opts.bucket,
    async upload(key, chunks, meta) {
      const [{ Upload }, c] = await Promise.all([import('@aws-sdk/lib-storage'), s3()]);
      let bytes = 0;
      let sourceError: unknown;
      const counted = async function* () {
        try {
          for await (const chunk of chunks) {
            bytes += chunk.byteLength;
            yield chunk;
          }
        } catch (err) {
          sourceError = err;
          throw err;
        }
      };
      const upload = new Upload({
        client: c,
        partSize: PART_BYTES,
        queueSize: QUEUE,
        // On failure the parts are deleted (AbortMultipartUpload); the bucket's lifecycle rule catches what is left.
        leavePartsOnError: false,
        params: {
          Bucket: opts.bucket,
          Key: key,
          Body: Readable.from(counted()),
          ContentType: meta.contentType,
          ...(meta.contentDisposition ? { ContentDisposition: meta.contentDisposition } : {}),
        },
      });
      try {
        await upload.done();
      } catch (err) {
        // The file's own failure (a database error half-way) is the one to report, not an abort
        // that failed after it (the lifecycle rule removes parts an abort left).
        throw sourceError ?? err;
      }
      return bytes;
    },
    async presignGet(key, ttlSeconds) {
      const [{ GetObjectCommand }, { getSignedUrl }, c] = await Promise.all([
        import('@aws-sdk/client-s3'),
        import('@aws-sdk/s3-request-presigner'),
        s3(),
      ]);
      // Real time, not db.clock: S3 checks a signature against its own clock, so a URL signed at a
      // test's or a replay's business time would already be expired (or not yet valid).
      const signingDate = new Date();
      const url = await getSignedUrl(c, new GetObjectCommand({ Bucket: opts.bucket, Key: key }), { expiresIn: ttlSeconds, signingDate });
      return { url, expiresAt: new Date(signingDate.getTime() + ttlSeconds * 1000).toISOString() };
    },
    async putBytes(key, bytes, meta) {
      const [{ PutObjectCommand }, c] = await Promise.all([import('@aws-sdk/client-s3'), s3()]);
      await c.send(new PutObjectCommand({ Bucket: opts.bucket, Key: key, Body: bytes, ContentType: meta.contentType }));
    },
    async getBytes(key) {
      const [{ GetObjectCommand, NoSuchKey }, c] = await Promise.all([import('@aws-sdk/client-s3'), s3()]);
      try {
        const out = await c.send(new GetObjectCommand({ Bucket: opts.bucket, Key: key }));
        if (!out.Body) return null;
        return { bytes: await out.Body.transformToByteArray(), contentType: out.ContentType ?? 'application/octet-stream' };
      } catch (err) {
        // A missing key is a 404 only with s3:ListBucket on the bucket (the stack grants it; without, S3 says 403).
        if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return null;
        throw err;
      }
    },
  };
}
