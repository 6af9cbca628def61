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

/** Gives the harness's key (`test-key`) a hard monthly budget of `limitNano` and reloads the key table. */
export async function capTestKey(h: Harness, limitNano: number): Promise<void> {
  await h.proxy.store.keys.update('test-key', { budget: { limitNano, period: 'month', alertAt: [], soft: false } });
  await h.proxy.keys.reload();
}

/** POSTs `body` as JSON to the harness's OpenAI `path` (`/chat/completions`) with its key. */
export function postAsTestKey(h: Harness, path: string, body: unknown): Promise<Response> {
  return fetch(`${h.baseUrl()}${path}`, { method: 'POST', headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
