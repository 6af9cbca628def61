/**
 * The write queues keep a buffer and the index of its oldest pending record, dropping
 * the records before it only once they are most of it (amortised O(1) per record).
 * @returns the buffer and head to keep: emptied when nothing is pending, sliced when
 *   more than 1024 records and half the buffer are done, else unchanged.
 */
export function compactFront<T>(buffer: T[], head: number): { buffer: T[]; head: number } {
  if (head === buffer.length) return { buffer: [], head: 0 };
  if (head > 1024 && head * 2 > buffer.length) return { buffer: buffer.slice(head), head: 0 };
  return { buffer, head };
}
