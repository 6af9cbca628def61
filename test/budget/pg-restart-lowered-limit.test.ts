import { describe, expect, it } from 'vitest';
import { USD, keyBudget } from './helpers.js';
import { pgRestartWorlds } from './pg-restart-world.js';

const restartWorld = pgRestartWorlds();

/** restart-lowered-limit.test.ts on PostgreSQL: the limits serve ran with are kept there too (schema v10). */
describe('a limit lowered while serve was stopped, on PostgreSQL', () => {
  it('alerts once at the next start: $10 → $5 with $5 spent fires 80 % and 100 %; a further restart sends nothing', async () => {
    const { store, lines, start: service, alertRows } = await restartWorld('restart_lowered', 5);
    await service();
    expect(lines).toEqual([]);
    expect((await store.budgets.budgetLimits()).map((r) => [r.kind, r.budget, r.limitNano, r.alertAt])).toEqual([['key', 'k', 10 * USD, [0.8, 1]]]);

    await store.keys.update('k', { budget: keyBudget(5, { alertAt: [0.8, 1] }) });
    await service();
    expect(lines).toEqual([expect.stringContaining("key budget 'k' passed 80% of its limit (now 100%: $5.00 of $5.00"), expect.stringContaining('reached 100%')]);
    expect((await store.budgets.budgetLimits()).map((r) => r.limitNano)).toEqual([5 * USD]);
    // The alert rows are written in the background: the next restart must find them (and the limit unchanged).
    await alertRows(2);
    await service();
    expect(lines).toHaveLength(2);
  });
});
