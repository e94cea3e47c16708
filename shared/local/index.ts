/**
 * Local runtime parts for `npm start` and tests: DynamoDB Local started from the npm package.
 */
export * from './dynamodb-local.js';
