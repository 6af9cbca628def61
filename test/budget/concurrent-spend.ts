import { waitFor, type Harness } from '../support/proxy-harness.js';

/**
 * Sends `calls` requests at once with `send`, lets the provider answer (`release`) once every
 * call that fits is admitted, and gives each `send`'s answer (in call order) and the recorded
 * cost of each answered call (outcome `ok`).
 */
export async function spendOfConcurrent<T>(h: Harness, calls: number, send: () => Promise<T>, release: () => void): Promise<{ costs: number[]; answers: T[] }> {
  const all = Promise.all(Array.from({ length: calls }, send));
  // Let every call that fits be admitted before any settles.
  await new Promise((r) => setTimeout(r, 300));
  release();
  const answers = await all;
  await waitFor(() => h.records.length >= calls, 10_000, 'records');
  return { costs: h.records.filter((r) => r.outcome === 'ok').map((r) => r.costNano ?? 0), answers };
}
