import { expect } from 'vitest';
import { updateKeyAudited } from '../../src/admin/key-ops.js';
import type { RunningProxy } from '../../src/proxy/start.js';
import { addKey, chat, keyBudget } from './support.js';

/**
 * Two replicas `a` and `b` on one store: a key budget of $0.002 alerting at 50 % is spent past
 * it through both (each counter has fired its 50 %), then raised to $1 the way `tokometer
 * keys set` does (one `set` row), and both replicas reload their keys. Each re-arms
 * its 50 %; `keys history` must list the re-arm once: one row per change, not per replica.
 * With `raises` > 1 the limit is lowered back to $0.002 and raised again that many times:
 * each raise is a change of its own, with its own row. `together`: both reload at once (the
 * race of two replicas writing the row). Only across processes on SQLite: two proxies in one
 * process each hold a synchronous connection, and one's BEGIN IMMEDIATE blocks the thread
 * (busy_timeout) while the other's open transaction waits on that thread to go on.
 * @returns the key's history, oldest first, as `actor action` strings.
 */
export async function raiseOnTwoReplicas(a: RunningProxy, b: RunningProxy, o: { raises?: number; together: boolean }): Promise<string[]> {
  const { raises = 1, together } = o;
  const secret = await addKey(a, 'k', { budget: keyBudget(0.002, { alertAt: [0.5] }) });
  await b.keys.reload();
  const spent = (p: RunningProxy) => p.budgets!.snapshot().find((s) => s.name === 'k')?.spentNano ?? 0;
  let i = 0;
  for (const p of [a, b]) {
    for (let t = 0; t < 100 && spent(p) < 1_000_000; t++) {
      expect((await chat(`${p.url}/proxy/openai`, secret, { maxTokens: 100, content: `q${i++}` })).status).toBe(200);
      if (p === b) await new Promise((r) => setTimeout(r, 50));
    }
    expect(spent(p)).toBeGreaterThanOrEqual(1_000_000);
    expect(p.budgets!.recentAlerts().map((e) => e.threshold)).toContain(0.5);
  }

  for (let r = 0; r < raises; r++) {
    // Lowered back first for a second raise: the spend is past 50 % of $0.002 again (both fire it again).
    if (r > 0) await setLimit(a, b, 0.002, together);
    await setLimit(a, b, 1, together);
  }
  return (await a.store.history.list({ keyName: 'k' })).map((e) => `${e.actor} ${e.action}`);
}

/** Sets k's limit as `keys set` does, then both replicas reload their keys (at once when `together`). */
async function setLimit(a: RunningProxy, b: RunningProxy, usd: number, together: boolean): Promise<void> {
  await updateKeyAudited(a.store, 'k', { budget: keyBudget(usd, { alertAt: [0.5] }) }, 'cli', Date.now());
  if (together) await Promise.all([a.keys.reload(), b.keys.reload()]);
  else for (const p of [a, b]) await p.keys.reload();
  // Any reload the change feed or the poll starts on its own applies the same budget: nothing more to re-arm.
  for (const p of [a, b]) await p.keys.reload();
}
