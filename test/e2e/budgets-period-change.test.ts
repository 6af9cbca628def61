import { beforeAll, describe, expect, it } from 'vitest';
import { periodWindow } from '../../src/budget/periods.js';
import { NODE_ENTRY } from '../support/spawn-cli.js';
import { proxySuite } from '../budget/proxy-suite.js';
import { addKey, chat, keyBudget, type BudgetProxy } from '../budget/support.js';

/**
 * A key budget's period changed while calls flow, on the writer thread serve uses: the
 * ledger's spend in the new window is what the store has once every record is written.
 * Calls settling while the new window's spend was read were lost from the count (their
 * records not yet written), or would be counted twice (written during the read).
 */
describe('a key budget whose period changes under load (writer thread)', () => {
  const suite = proxySuite();
  let p: BudgetProxy;
  beforeAll(async () => {
    p = await suite.start({ overrides: { writerThread: { entry: NODE_ENTRY, dbPath: suite.dbPath } } });
  });

  it('month -> day -> month -> day -> week: the ledger counts every call of the last window once (before the fix: ~4% short)', async () => {
    const secret = await addKey(p.proxy, 'app', { budget: keyBudget(1000, { period: 'month' }) });
    let running = true;
    let calls = 0;
    const worker = async (w: number) => {
      for (let i = 0; running; i++) {
        const r = await chat(p.baseUrl, secret, { content: `w${w} q${i}`, maxTokens: 50 });
        expect(r.status).toBe(200);
        calls++;
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    for (const period of ['day', 'month', 'day', 'week'] as const) {
      await pause(150);
      await p.proxy.store.keys.update('app', { budget: keyBudget(1000, { period }) });
      await p.proxy.keys.reload();
    }
    await pause(150);
    running = false;
    await Promise.all(workers);
    expect(calls).toBeGreaterThan(20);
    await p.proxy.queue.flush();
    const state = p.proxy.budgets!.snapshot().find((s) => s.name === 'app')!;
    expect(state.period).toBe('week');
    const w = periodWindow('week', Date.now(), 'UTC');
    const [stored] = await p.proxy.store.budgets.periodSpend({ kind: 'key', name: 'app' }, { period: 'week', start: w.start, end: w.end });
    expect(state.spentNano).toBe(stored!.costNano);
  });
});
