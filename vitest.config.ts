import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One DynamoDB Local for the whole run; every test file makes its own table in it.
    globalSetup: ['test/setup/dynamodb-local.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: more workers only make DynamoDB Local and esbuild fight for CPU.
    maxWorkers: 2,
  },
});
