import { expect } from 'vitest';
import { updateKeyAudited } from '../../src/admin/key-ops.js';
import type { RunningProxy } from '../../src/proxy/start.js';
import { addKey, chat, keyBudget } from './support.js';

/**
 * Two replicas `a` and `b` on one store: a key budget of $0.002 alerting at 50 % is spent past
 * it through both (each counter has fired its 50 %), then raised to $1 the way `tokometer
 * keys set` does (one `set` row), and both replicas reload their keys at once. Each re-arms
 * its 50 %; `keys history` must list the re-arm once: one row per change, not per replica.
 * @returns the key's history, oldest first, as `actor action` strings.
 */
export async function raiseOnTwoReplicas(a: RunningProxy, b: RunningProxy): Promise<string[]> {
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

  await updateKeyAudited(a.store, 'k', { budget: keyBudget(1, { alertAt: [0.5] }) }, 'cli', Date.now());
  await Promise.all([a.keys.reload(), b.keys.reload()]);
  // Any reload the change feed or the poll starts on its own has applied the same budget: nothing more to re-arm.
  await Promise.all([a.keys.reload(), b.keys.reload()]);
  return (await a.store.history.list({ keyName: 'k' })).map((e) => `${e.actor} ${e.action}`);
}
