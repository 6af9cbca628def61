import { describe, expect, it } from 'vitest';
import { USD } from './helpers.js';
import { at, NOW } from './service-world.js';
import { pgRestartWorlds } from './pg-restart-world.js';

const restartWorld = pgRestartWorlds();

/** restart-repriced-spend.test.ts on PostgreSQL: the newest reprice change the budgets hold is kept there too (schema v13). */
describe('a reprice made while serve was stopped, on PostgreSQL', () => {
  it('alerts once at the next start: key budget $10, $7 spent, repriced to $8.50 fires 80 %; a further restart sends nothing', async () => {
    const { store, lines, start: service, alertRows } = await restartWorld('restart_repriced', 7);
    await service();
    expect(lines).toEqual([]);
    expect(await store.budgets.repricesSeen()).toBe(0);

    await store.prices.reprice({ since: at('2026-11-01T00:00:00Z'), until: at(NOW), actor: 'me@host', clock: () => at(NOW), prices: 'test', price: () => ({ costNano: 8.5 * USD, priceSource: 'test' }) });
    const restarted = await service();
    expect(restarted.snapshot().find((s) => s.name === 'k')?.spentNano).toBe(8.5 * USD);
    expect(lines).toEqual([expect.stringContaining("key budget 'k' passed 80% of its limit (now 85%: $8.50 of $10.00")]);
    // The alert row is written in the background: the next restart must find it (and no change left to replay).
    await alertRows(1);
    await service();
    expect(lines).toHaveLength(1);
  });
});
