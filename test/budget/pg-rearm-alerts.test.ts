import { describe, expect, it } from 'vitest';
import { pgDatabases } from '../support/pg-databases.js';
import { proxySuite } from './proxy-suite.js';
import { raiseOnTwoReplicas } from './rearm-once.js';

const pg = pgDatabases();

/**
 * Two serve replicas on one PostgreSQL database: a key budget's 50 % fired through both,
 * its limit raised (re-arming it), lowered back (it fires again) and raised again. The second
 * firing is a new alert (its own row, its own id: the alert book's `take`), and the same one
 * on both replicas, so the store's claim keeps it to one row and one webhook.
 */
describe('a re-armed alert on two replicas sharing PostgreSQL', () => {
  const suite = proxySuite({ scope: 'test' });

  it('fires again as one new alert with the same id on both replicas', async () => {
    const url = await pg.url('rearm_alerts');
    const a = await suite.startOnPostgres(url);
    const b = await suite.startOnPostgres(url);
    await raiseOnTwoReplicas(a, b, { raises: 2, together: true });
    const rows = (await a.store.budgets.alerts()).filter((r) => r.budget === 'k' && r.threshold === 0.5);
    expect(rows).toHaveLength(2);
    expect(rows[1]!.armedFrom).toBe(rows[0]!.armedFrom + 1);
    const ids = (p: typeof a) => [...new Set(p.budgets!.recentAlerts().filter((e) => e.name === 'k' && e.threshold === 0.5).map((e) => e.id))];
    expect(ids(a)).toHaveLength(2);
    expect(ids(b)).toEqual(ids(a));
  }, 90_000);
});
