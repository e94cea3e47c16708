import { BatchGetCommand, type BatchGetCommandInput, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { DbContext } from './context.js';
import { backoff, sleep } from './failures.js';
import type { Key } from './keys.js';

/** DynamoDB's BatchGetItem limit: 100 keys a request. */
const BATCH_GET_MAX_KEYS = 100;

export interface BatchGetOptions {
  readonly consistent?: boolean;
  readonly projection?: string;
  readonly names?: Record<string, string>;
}

/**
 * Every item of `keys` that exists, in no particular order: 100 keys a request, and the keys
 * DynamoDB left unprocessed (throttling, 16 MB) asked again with backoff, as its docs require.
 */
export async function batchGetAll(db: DbContext, keys: readonly Key[], opts: BatchGetOptions = {}): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_MAX_KEYS) {
    let request: BatchGetCommandInput['RequestItems'] = {
      [db.tableName]: {
        Keys: keys.slice(i, i + BATCH_GET_MAX_KEYS),
        ...(opts.consistent ? { ConsistentRead: true } : {}),
        ...(opts.projection ? { ProjectionExpression: opts.projection } : {}),
        ...(opts.names ? { ExpressionAttributeNames: opts.names } : {}),
      },
    };
    for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
      if (attempt > 0) await sleep(backoff(attempt));
      const out: BatchGetCommandOutput = await db.doc.send(new BatchGetCommand({ RequestItems: request }));
      found.push(...(out.Responses?.[db.tableName] ?? []));
      request = out.UnprocessedKeys;
    }
  }
  return found;
}
