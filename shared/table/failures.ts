import type { AttributeValue, CancellationReason } from '@aws-sdk/client-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

/**
 * Reading failed conditions. With ReturnValuesOnConditionCheckFailure=ALL_OLD DynamoDB hands back
 * the item as it was, so we can say *why* (sold out vs closed) without another read.
 */
export type ConditionFailure = { failed: true; item: Record<string, unknown> | undefined };

export function conditionFailure(err: unknown): ConditionFailure | null {
  if (err instanceof ConditionalCheckFailedException || (err as { name?: string })?.name === 'ConditionalCheckFailedException') {
    const raw = (err as { Item?: Record<string, AttributeValue> }).Item;
    return { failed: true, item: raw ? unmarshall(raw) : undefined };
  }
  return null;
}

export interface CancelledTransaction {
  reasons: Array<{ code: string; item: Record<string, unknown> | undefined }>;
}

export function cancelledTransaction(err: unknown): CancelledTransaction | null {
  if (err instanceof TransactionCanceledException || (err as { name?: string })?.name === 'TransactionCanceledException') {
    const reasons = ((err as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? []).map((r) => ({
      code: r.Code ?? 'None',
      item: r.Item ? unmarshall(r.Item) : undefined,
    }));
    return { reasons };
  }
  return null;
}

/** Real DynamoDB cancels one of two transactions touching one item at once; retrying is safe. */
export function isTransientConflict(err: unknown): boolean {
  const name = (err as { name?: string })?.name;
  if (name === 'TransactionConflictException') return true;
  const cancelled = cancelledTransaction(err);
  if (!cancelled) return false;
  return (
    cancelled.reasons.some((r) => r.code === 'TransactionConflict') && !cancelled.reasons.some((r) => r.code === 'ConditionalCheckFailed')
  );
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with full jitter for conflicts. */
export function backoff(attempt: number, baseMs = 10, capMs = 300): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}

const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'TransactionConflictException',
  'TransactionInProgressException',
]);

/**
 * A DynamoDB failure that is not the request's fault and may pass if retried (the SDK already
 * retried it): the API answers 503 with Retry-After instead of a bare 500.
 */
export function isRetryableServiceError(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown; code?: string };
  if (!e || typeof e !== 'object') return false;
  if (isTransientConflict(err)) return true;
  if (e.name && TRANSIENT_NAMES.has(e.name)) return true;
  if (e.code === 'ETIMEDOUT' || e.code === 'ECONNRESET' || e.code === 'ECONNREFUSED') return true;
  return (e.$metadata?.httpStatusCode ?? 0) >= 500;
}
