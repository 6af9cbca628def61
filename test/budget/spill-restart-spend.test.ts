import { describe, expect, it } from 'vitest';
import { hashSecret, keyPrefix, newMeteringKey } from '../../src/lib/ids.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { SpillFile } from '../../src/store/spill.js';
import { testStore } from '../support/store.js';
import { record } from '../report/dataset.js';
import { proxySuite } from './proxy-suite.js';
import { keyBudget } from './support.js';

/**
 * serve stopped while the database could not be written (a full disk, PostgreSQL away):
 * the calls it had answered went to the spill file, and the next start writes them. They
 * are calls of this period, so the budgets, which the start rebuilds from the stored
 * calls (SPEC §5: budget state survives restarts), must count them: else a key near its
 * cap gets up to the spill file's spend again.
 */
describe('a restart that replays a spill file', () => {
  // A database of its own for each case; its proxy is stopped after it.
  const suite = proxySuite({ scope: 'test' });

  it.each([10, 12_000])('the budgets count the %i spilled calls of the period', async (count) => {
    const store = testStore(openDriver(suite.dbPath));
    const secret = newMeteringKey();
    await store.keys.create({ name: 'acme', prefix: keyPrefix(secret), hash: hashSecret(secret), budget: keyBudget(100), createdAt: Date.now() });
    await store.close();
    const spillPath = `${suite.dbPath}.spill`;
    const now = Date.now();
    new SpillFile(spillPath).append(Array.from({ length: count }, (_, i) => record({ at: now - 60_000 + (i % 1000), key: 'acme', cost: 3_000_000 })));
    const p = await suite.start({ overrides: { spillPath } });
    expect(p.proxy.budgets!.snapshot().find((s) => s.name === 'acme')?.spentNano).toBe(count * 3_000_000);
  }, 60_000);
});
