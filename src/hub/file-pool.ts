/**
 * The files of one snapshot, downloaded a few at a time (snapshot-download.ts).
 */

export /** Runs `task` over `items`, `concurrency` at a time; after a failure starts no new task; settles all before rejecting. */
async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<void>,
  onFailure: (error: unknown) => void,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async (): Promise<void> => {
    while (failure === null && next < items.length) {
      const item = items[next]!;
      next += 1;
      try {
        await task(item);
      } catch (error) {
        if (failure === null) {
          failure = { error };
          onFailure(error);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failure !== null) throw (failure as { error: unknown }).error;
}
