import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { NODE_ENTRY } from '../support/spawn-cli.js';
import { proxySuite } from './proxy-suite.js';
import { addKey, chat, keyBudget } from './support.js';

/**
 * serve writes call records on its writer thread so that SQLite's lock waits (another
 * process writing: `keys create`, `prices reprice`, a backup) never stall the event loop.
 * A budget alert is stored from the settle of the call that crossed it: that write must
 * not wait for the lock on the request path either, or every call in flight (streams
 * included) freezes for up to the 5 s busy timeout.
 */
describe('a budget alert crossed while another process holds the SQLite write lock', () => {
  const suite = proxySuite();

  it('does not block the event loop', async () => {
    const p = await suite.start({ overrides: { writerThread: { entry: NODE_ENTRY, dbPath: suite.dbPath } } });
    try {
      const secret = await addKey(p.proxy, 'k', { budget: keyBudget(0.000001, { alertAt: [0.5] }) });
      const other = new Database(suite.dbPath);
      other.exec('BEGIN IMMEDIATE');
      let last = performance.now();
      let worstGapMs = 0;
      const beat = setInterval(() => {
        const t = performance.now();
        worstGapMs = Math.max(worstGapMs, t - last);
        last = t;
      }, 10);
      try {
        expect((await chat(p.baseUrl, secret, { maxTokens: 50 })).status).toBe(200);
        await new Promise((r) => setTimeout(r, 300));
        expect(p.proxy.budgets!.recentAlerts().map((a) => a.threshold)).toEqual([0.5]);
      } finally {
        clearInterval(beat);
        other.exec('ROLLBACK');
        other.close();
      }
      expect(worstGapMs).toBeLessThan(1000);
      // Stored once the other process lets go of the lock (tried again every ≤ 1 s).
      const reader = new Database(suite.dbPath, { readonly: true });
      try {
        const deadline = Date.now() + 5000;
        let stored: unknown[] = [];
        while (stored.length === 0 && Date.now() < deadline) {
          stored = reader.prepare('SELECT threshold FROM alerts').all();
          if (stored.length === 0) await new Promise((r) => setTimeout(r, 50));
        }
        expect(stored).toEqual([{ threshold: 0.5 }]);
      } finally {
        reader.close();
      }
    } finally {
      await p.stop();
    }
  }, 30_000);
});
