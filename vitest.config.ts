import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One DynamoDB Local for the whole run (every test file makes its own table in it), and one
    // local S3 server for exports (keys are random, so files share its bucket).
    globalSetup: ['test/setup/dynamodb-local.ts', 'test/setup/s3-local.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: more workers only make DynamoDB Local and esbuild fight for CPU.
    maxWorkers: 2,
  },
});
