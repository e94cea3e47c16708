/**
 * Local runtime parts for `npm start` and tests: DynamoDB Local started from the npm package, and
 * an S3-compatible server (S3rver) in process for exports.
 */
export * from './dynamodb-local.js';
export * from './s3-local.js';
