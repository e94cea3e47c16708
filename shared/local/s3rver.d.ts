/** The parts of @20minutes/s3rver (a maintained s3rver fork, no bundled types) that s3-local.ts uses. */
declare module '@20minutes/s3rver' {
  import type { AddressInfo } from 'node:net';

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    /** where buckets and objects are kept, as files */
    directory: string;
    configureBuckets?: Array<{ name: string }>;
    /** false (default): requests must be signed with its development key S3RVER / S3RVER */
    allowMismatchedSignatures?: boolean;
  }

  /** The Koa context S3rver's middleware receives (only what the POST policy gate reads and sets). */
  export interface KoaContext {
    req: import('node:http').IncomingMessage;
    method: string;
    path: string;
    status: number;
    type: string;
    body: unknown;
  }

  export default class S3rver {
    /** Koa's middleware list, composed when the server starts listening. */
    middleware: Array<(ctx: KoaContext, next: () => Promise<void>) => unknown>;
    constructor(options: S3rverOptions);
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
}
