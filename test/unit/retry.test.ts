import { describe, expect, it } from 'vitest';
import { withRetry } from '../../shared/table/retry.js';

class Transient extends Error {}
class Final extends Error {}

describe('withRetry', () => {
  const retryOn = (err: unknown) => err instanceof Transient;

  it('returns the first attempt that succeeds, telling each attempt its number', async () => {
    const seen: number[] = [];
    const out = await withRetry(
      async (n) => {
        seen.push(n);
        if (n < 2) throw new Transient();
        return 'ok';
      },
      { retries: 5, retryOn, baseMs: 0 },
    );
    expect(out).toBe('ok');
    expect(seen).toEqual([0, 1, 2]);
  });

  it('stops at once on an error retryOn does not name', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new Final('no');
        },
        { retries: 5, retryOn, baseMs: 0 },
      ),
    ).rejects.toBeInstanceOf(Final);
    expect(calls).toBe(1);
  });

  it('makes 1 + retries attempts, then answers the last error or what onExhausted makes of it', async () => {
    let calls = 0;
    const always = async () => {
      calls++;
      throw new Transient('busy');
    };
    await expect(withRetry(always, { retries: 3, retryOn, baseMs: 0 })).rejects.toThrow('busy');
    expect(calls).toBe(4);
    calls = 0;
    await expect(withRetry(always, { retries: 2, retryOn, baseMs: 0, onExhausted: () => new Final('gave up') })).rejects.toThrow('gave up');
    expect(calls).toBe(3);
  });

  it('retries a DynamoDB transaction conflict by default', async () => {
    let calls = 0;
    const conflict = Object.assign(new Error('conflict'), { name: 'TransactionConflictException' });
    const out = await withRetry(
      async () => {
        if (calls++ === 0) throw conflict;
        return calls;
      },
      { retries: 1, baseMs: 0 },
    );
    expect(out).toBe(2);
  });
});
