/**
 * A value built on the first call instead of at module load, and built again on the next call when
 * building failed (a secret or a chunk not readable yet) instead of failing forever: the scheduled
 * functions' clients, and the API's route modules loaded on first use (functions/lazy-routes.ts).
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
