import { describe, expect, it } from 'vitest';
import { pgDatabases } from '../support/pg-databases.js';
import { proxySuite } from './proxy-suite.js';
import { addKey, chat, keyBudget } from './support.js';

const pg = pgDatabases();

/**
 * Two replicas on one PostgreSQL database share a key budget. An admin reset made through
 * replica A re-arms A's alerts; replica B learns the reset from the shared row (its spend
 * drops) but keeps the thresholds as fired in its alert book. Once A is gone (scaled down),
 * the spend crossing a threshold again through B must alert: it is a new crossing in the
 * same period after a reset, which SPEC §5 and the README say fires again.
 */
describe('an admin reset made through another replica', () => {
  const suite = proxySuite();

  it('re-arms the alerts of every replica', async () => {
    const url = await pg.url('reset_rearm');
    const a = await suite.startOnPostgres(url);
    const b = await suite.startOnPostgres(url);
    const secret = await addKey(a, 'k', { budget: keyBudget(0.002, { alertAt: [0.5] }) });
    await b.keys.reload();
    const spent = () => b.budgets!.snapshot().find((s) => s.name === 'k')?.spentNano ?? 0;
    let i = 0;
    while (spent() < 1_000_000 && i < 100) expect((await chat(`${b.url}/proxy/openai`, secret, { maxTokens: 100, content: `q${i++}` })).status).toBe(200);
    expect(b.budgets!.recentAlerts().map((e) => e.threshold)).toEqual([0.5]);

    expect((await a.budgets!.reset({ name: 'k' }, 'admin')).ok).toBe(true);
    await a.stop(500);
    // B learns the reset from the shared row at its next sync (at least every second while it settles calls).
    for (let t = 0; t < 40 && spent() >= 1_000_000; t++) {
      expect((await chat(`${b.url}/proxy/openai`, secret, { maxTokens: 1, content: `w${t}` })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(spent()).toBeLessThan(1_000_000);

    while (spent() < 1_000_000 && i < 200) expect((await chat(`${b.url}/proxy/openai`, secret, { maxTokens: 100, content: `q${i++}` })).status).toBe(200);
    expect(spent()).toBeGreaterThanOrEqual(1_000_000);
    expect(b.budgets!.recentAlerts().map((e) => e.threshold)).toEqual([0.5, 0.5]);
  }, 60_000);
});
