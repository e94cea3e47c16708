import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from '@20minutes/s3rver';

/** The bucket npm start and the tests write exports to. */
export const LOCAL_EXPORTS_BUCKET = 'tuangou-exports-local';

export interface RunningS3Local {
  /** e.g. http://127.0.0.1:4568; presigned URLs point here */
  endpoint: string;
  bucket: string;
  stop(): Promise<void>;
}

/**
 * An S3-compatible server in this process (S3rver: objects as files, SigV4 checked, multipart,
 * presigned GET and POST), with the exports bucket made. `dataDir` keeps objects across restarts;
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
    configureBuckets: [{ name: LOCAL_EXPORTS_BUCKET }],
  });
  const address = await server.run();
  let stopped = false;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket: LOCAL_EXPORTS_BUCKET,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      if (!opts.dataDir) rmSync(directory, { recursive: true, force: true });
    },
  };
}
