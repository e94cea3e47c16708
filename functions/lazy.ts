/**
 * A value for the scheduled functions (sweep, worker), built on the first call instead of at module
 * load, and built again on the next call when building failed (a secret not readable yet) instead
 * of failing forever.
 */
export function lazyRetrying<T>(build: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= build().catch((err) => {
      value = undefined;
      throw err;
    });
    return value;
  };
}
