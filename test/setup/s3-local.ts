import type { TestProject } from 'vitest/node';
import { startS3Local } from '../../shared/local/s3-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    s3Endpoint: string;
    s3Bucket: string;
    s3ImagesBucket: string;
  }
}

/** Starts one local S3 server (S3rver, objects in a temporary folder) on a free port for the whole test run. */
export default async function setup(project: TestProject) {
  const local = await startS3Local();
  project.provide('s3Endpoint', local.endpoint);
  project.provide('s3Bucket', local.bucket);
  project.provide('s3ImagesBucket', local.imagesBucket);
  return async () => {
    await local.stop();
  };
}
