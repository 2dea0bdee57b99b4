/**
 * Runs `worker` over `items` with at most `concurrency` calls in flight,
 * pulling items lazily (so a generator of request bodies is built only as
 * fast as it is sent). On the first failure no new item starts; calls in
 * flight finish, then the first error is rethrown.
 */
export async function forEachConcurrently<T>(items: Iterable<T>, concurrency: number, worker: (item: T) => Promise<void>): Promise<void> {
  const iterator = items[Symbol.iterator]();
  let failure: { error: unknown } | undefined;

  const runWorker = async (): Promise<void> => {
    while (failure === undefined) {
      let next: IteratorResult<T>;
      try {
        next = iterator.next();
      } catch (error) {
        failure ??= { error };
        return;
      }
      if (next.done === true) return;
      try {
        await worker(next.value);
      } catch (error) {
        failure ??= { error };
      }
    }
  };

  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, runWorker));
  if (failure !== undefined) throw failure.error;
}
