import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DbClientOptions {
  region: string;
  endpoint?: string;
  maxAttempts?: number;
}

/**
 * One document client per process. Against DynamoDB Local we pass dummy credentials so nothing on
 * the developer's machine (or its absence) matters.
 */
export function createDocumentClient(opts: DbClientOptions): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: opts.region,
    ...(opts.endpoint ? { endpoint: opts.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: opts.maxAttempts ?? 3,
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
}
