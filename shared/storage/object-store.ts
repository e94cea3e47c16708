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

/** A browser-style form upload (wx.uploadFile: `url`, `formData: fields`, the file as `file`) S3 checks against its policy. */
export interface PresignedPost {
  readonly url: string;
  readonly fields: Record<string, string>;
  readonly expiresAt: string;
}

export interface PostPolicy {
  readonly contentType: string;
  /** the policy's content-length-range: S3 refuses a bigger (or empty) file itself */
  readonly maxBytes: number;
  readonly ttlSeconds: number;
  /** set on the object as it is stored */
  readonly cacheControl?: string;
}

export interface ObjectHead {
  readonly bytes: number;
  readonly contentType: string;
}

/** The operations photos need beyond exports: form uploads, a look at what arrived, a copy out of uploads/. */
export interface MediaStore {
  readonly bucket: string;
  /** A POST form for exactly this key, type and size range, valid ttlSeconds. */
  presignPost(key: string, policy: PostPolicy): Promise<PresignedPost>;
  /** Size and type of an object, or null when there is none. */
  head(key: string): Promise<ObjectHead | null>;
  /** The first `bytes` bytes of an object (or all of a smaller one), or null when there is none. */
  readHead(key: string, bytes: number): Promise<Uint8Array | null>;
  /** Server-side copy (no bytes through the function), replacing the type and cache header. */
  copy(from: string, to: string, meta: { contentType: string; cacheControl: string }): Promise<void>;
  /** Removes the objects (missing ones are fine). */
  remove(keys: readonly string[]): Promise<void>;
  /** A GET URL of a private object (after-sale evidence), valid ttlSeconds. */
  presignGet(key: string, ttlSeconds: number): Promise<PresignedGet>;
  /** An object's bytes as a stream (the API's own /media route, where no CDN is configured), or null. */
  stream(key: string): Promise<{ body: ReadableStream<Uint8Array>; bytes: number; contentType: string; cacheControl?: string } | null>;
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

const isMissing = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
};

/** One S3 client per store, loaded on first use, not at cold start: most requests never touch S3. */
function lazyClient(opts: S3StoreOptions): () => Promise<S3Client> {
  let client: Promise<S3Client> | undefined;
  return () =>
    (client ??= import('@aws-sdk/client-s3').then(
      ({ S3Client }) =>
        new S3Client({
          region: opts.region,
          ...(opts.endpoint ? { endpoint: opts.endpoint, forcePathStyle: true, credentials: LOCAL_CREDENTIALS } : {}),
        }),
    ));
}

/** A GET URL for one object, signed locally (no request to S3). */
async function presignedGet(s3: () => Promise<S3Client>, bucket: string, key: string, ttlSeconds: number): Promise<PresignedGet> {
  const [{ GetObjectCommand }, { getSignedUrl }, c] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('@aws-sdk/s3-request-presigner'),
    s3(),
  ]);
  // Real time, not db.clock: S3 checks a signature against its own clock, so a URL signed at a
  // test's or a replay's business time would already be expired (or not yet valid).
  const signingDate = new Date();
  const url = await getSignedUrl(c, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: ttlSeconds, signingDate });
  return { url, expiresAt: new Date(signingDate.getTime() + ttlSeconds * 1000).toISOString() };
}

export function s3MediaStore(opts: S3StoreOptions): MediaStore {
  const s3 = lazyClient(opts);
  const bucket = opts.bucket;
  return {
    bucket,
    async presignPost(key, policy) {
      const [{ createPresignedPost }, c] = await Promise.all([import('@aws-sdk/s3-presigned-post'), s3()]);
      const signedAt = Date.now(); // S3 checks the policy's expiration against its own (real) clock
      const fields = { 'Content-Type': policy.contentType, ...(policy.cacheControl ? { 'Cache-Control': policy.cacheControl } : {}) };
      const post = await createPresignedPost(c, {
        Bucket: bucket,
        Key: key,
        Fields: fields,
        Conditions: [
          ['content-length-range', 1, policy.maxBytes],
          ['eq', '$Content-Type', policy.contentType],
          ...(policy.cacheControl ? [['eq', '$Cache-Control', policy.cacheControl] as ['eq', string, string]] : []),
        ],
        Expires: policy.ttlSeconds,
      });
      return { url: post.url, fields: post.fields, expiresAt: new Date(signedAt + policy.ttlSeconds * 1000).toISOString() };
    },
    async head(key) {
      const [{ HeadObjectCommand }, c] = await Promise.all([import('@aws-sdk/client-s3'), s3()]);
      try {
        const out = await c.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { bytes: out.ContentLength ?? 0, contentType: out.ContentType ?? 'application/octet-stream' };
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },
    async readHead(key, bytes) {
      const [{ GetObjectCommand }, c] = await Promise.all([import('@aws-sdk/client-s3'), s3()]);
      try {
        const out = await c.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${bytes - 1}` }));
        return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },
    async copy(from, to, meta) {
      const [{ CopyObjectCommand }, c] = await Promise.all([import('@aws-sdk/client-s3'), s3()]);
      await c.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: to,
          CopySource: `${bucket}/${from.split('/').map(encodeURIComponent).join('/')}`,
          MetadataDirective: 'REPLACE',
          ContentType: meta.contentType,
          CacheControl: meta.cacheControl,
        }),
      );
    },
    presignGet: (key, ttlSeconds) => presignedGet(s3, bucket, key, ttlSeconds),
    async remove(keys) {
      const [{ DeleteObjectCommand }, c] = await Promise.all([import('@aws-sdk/client-s3'), s3()]);
      // One DeleteObject per key: a photo has two, and DeleteObjects' checksum signing is not what S3rver verifies.
      await Promise.all(keys.map((Key) => c.send(new DeleteObjectCommand({ Bucket: bucket, Key }))));
    },
    async stream(key) {
      const [{ GetObjectCommand }, c] = await Promise.all([import('@aws-sdk/client-s3'), s3()]);
      try {
        const out = await c.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if (!out.Body) return null;
        return {
          body: out.Body.transformToWebStream() as ReadableStream<Uint8Array>,
          bytes: out.ContentLength ?? 0,
          contentType: out.ContentType ?? 'application/octet-stream',
          ...(out.CacheControl ? { cacheControl: out.CacheControl } : {}),
        };
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },
  };
}

export function s3ObjectStore(opts: S3StoreOptions): ObjectStore {
  const s3 = lazyClient(opts);
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
    presignGet: (key, ttlSeconds) => presignedGet(s3, opts.bucket, key, ttlSeconds),
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
