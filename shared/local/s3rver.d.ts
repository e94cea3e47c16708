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

  export default class S3rver {
    constructor(options: S3rverOptions);
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
}
