import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import S3rver, { type KoaContext } from '@20minutes/s3rver';
import { checkPostPolicy } from './post-policy.js';

/** The bucket npm start and the tests write exports to. */
export const LOCAL_EXPORTS_BUCKET = 'tuangou-exports-local';
/** The bucket of campaign photos (uploads/ and images/), as the stack has one of its own. */
export const LOCAL_IMAGES_BUCKET = 'tuangou-images-local';
/** S3rver's fixed development secret, which presigned POST policies are signed with. */
const LOCAL_SECRET = 'S3RVER';

/** An XML error as S3 writes it. */
function s3Error(ctx: KoaContext, status: number, code: string, message: string) {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message.replace(/[<&>]/g, '')}</Message></Error>`;
}

/**
 * S3rver takes a browser-form upload without looking at its policy; S3 checks it. This gate, run
 * before S3rver's own routes, does what S3 does (post-policy.ts) and hands S3rver the same bytes.
 */
function postPolicyGate() {
  return async (ctx: KoaContext, next: () => Promise<void>) => {
    const type = ctx.req.headers['content-type'] ?? '';
    const bucket = /^\/([^/?]+)\/?$/.exec(ctx.path)?.[1];
    if (ctx.method !== 'POST' || !bucket || !type.startsWith('multipart/form-data')) return next();
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const form = await new Request('http://local/', { method: 'POST', headers: { 'content-type': type }, body }).formData();
    const fields: Record<string, string> = {};
    let fileBytes = 0;
    for (const [name, value] of form) {
      if (typeof value === 'string') fields[name] = value;
      else if (name === 'file') fileBytes = value.size;
    }
    const verdict = checkPostPolicy({ bucket, fields, fileBytes, secretAccessKey: LOCAL_SECRET, now: new Date() });
    if (!verdict.ok) return s3Error(ctx, verdict.status, verdict.code, verdict.message);
    const replay = Object.assign(Readable.from([body]), { headers: ctx.req.headers, method: ctx.req.method, url: ctx.req.url });
    ctx.req = replay as unknown as KoaContext['req'];
    return next();
  };
}

/**
 * Our buckets are private (the stack blocks all public access): S3 refuses a read that is neither
 * signed (Authorization) nor presigned (X-Amz-Signature), where S3rver would serve it. Without this
 * gate a test could not tell a private photo from a public one.
 */
function privateBucketGate() {
  return async (ctx: KoaContext, next: () => Promise<void>) => {
    const isObject = /^\/[^/?]+\/.+/.test(ctx.path);
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || !isObject) return next();
    const signed = ctx.req.headers.authorization !== undefined || /[?&]X-Amz-Signature=/i.test(ctx.req.url ?? '');
    if (!signed) return s3Error(ctx, 403, 'AccessDenied', 'Access Denied');
    return next();
  };
}

export interface RunningS3Local {
  /** e.g. http://127.0.0.1:4568; presigned URLs point here */
  endpoint: string;
  bucket: string;
  imagesBucket: string;
  stop(): Promise<void>;
}

/**
 * An S3-compatible server in this process (S3rver: objects as files, SigV4 checked, multipart,
 * presigned GET and POST, the POST policy checked as S3 checks it), with the exports and images buckets made. `dataDir` keeps objects across restarts;
 * without it they live in a temporary folder removed on stop.
 */
export async function startS3Local(opts: { port?: number; dataDir?: string } = {}): Promise<RunningS3Local> {
  const directory = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'tuangou-s3-'));
  mkdirSync(directory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: opts.port ?? 0,
    silent: true,
    directory,
    configureBuckets: [{ name: LOCAL_EXPORTS_BUCKET }, { name: LOCAL_IMAGES_BUCKET }],
  });
  // Koa composes its middleware when the server starts listening: first in line is the gate.
  server.middleware.unshift(postPolicyGate(), privateBucketGate());
  const address = await server.run();
  let stopped = false;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket: LOCAL_EXPORTS_BUCKET,
    imagesBucket: LOCAL_IMAGES_BUCKET,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      if (!opts.dataDir) rmSync(directory, { recursive: true, force: true });
    },
  };
}
