/**
 * Writing a batch so that records that can never be stored do not take the rest with them:
 * a batch that fails on bad data is written again in halves, and halves of the halves that
 * fail, so only the bad records are dropped. A batch of n with one bad record takes about
 * 2·log2(n) writes instead of n (a transaction each). Used by the PostgreSQL write queue
 * (async-write-queue.ts); SQLite's queue writes records one by one instead, in-process.
 */

/** How writing a batch ended: `left`, the entries still to write (a failure that is not bad data stopped it, `error`); empty when every entry was written or rejected. */
export interface BatchWrite<T> {
  left: T[];
  error?: unknown;
}

/**
 * Writes `batch` with `write` (all or none per call). `isPermanent` tells bad data from
 * "not now"; `rejected` is told once per entry that can never be stored (it is dropped).
 */
export async function writeIsolating<T>(batch: T[], write: (part: T[]) => Promise<void>, isPermanent: (err: unknown) => boolean, rejected: (err: unknown) => void): Promise<BatchWrite<T>> {
  try {
    await write(batch);
    return { left: [] };
  } catch (err) {
    if (!isPermanent(err)) return { left: batch, error: err };
  }
  const todo = halves(batch);
  for (let part = todo.shift(); part !== undefined; part = todo.shift()) {
    try {
      await write(part);
    } catch (err) {
      if (!isPermanent(err)) return { left: [...part, ...todo.flat()], error: err };
      if (part.length > 1) todo.unshift(...halves(part));
      else rejected(err);
    }
  }
  return { left: [] };
}

/** `entries` split in two (the first half one longer when odd); one part when there is one entry. */
function halves<T>(entries: T[]): T[][] {
  if (entries.length <= 1) return [entries];
  const mid = Math.ceil(entries.length / 2);
  return [entries.slice(0, mid), entries.slice(mid)];
}
