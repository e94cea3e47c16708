import { backoff, isTransientConflict, sleep } from './failures.js';

export interface RetryOptions {
  /** how many more attempts after the first one */
  readonly retries: number;
  /** which failures another attempt may cure; default: a transaction that lost to a concurrent one */
  readonly retryOn?: (err: unknown) => boolean;
  /** the error to answer when every attempt failed with a retryable error; default: the last one */
  readonly onExhausted?: (err: unknown) => unknown;
  /** backoff base in ms (full jitter, doubling per attempt, capped at 300 ms) */
  readonly baseMs?: number;
}

/**
 * The one retry loop for optimistic writes: run `attempt(n)` until it returns, waiting with
 * exponential backoff and full jitter between attempts. An attempt re-reads what it needs (it is
 * told its number, so attempt 0 may reuse what the caller already read). Errors that `retryOn`
 * does not name (domain errors, a definitive condition failure) end the loop at once.
 */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const retryOn = opts.retryOn ?? isTransientConflict;
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!retryOn(err)) throw err;
      if (n >= opts.retries) throw opts.onExhausted ? opts.onExhausted(err) : err;
      await sleep(backoff(n, opts.baseMs));
    }
  }
}
