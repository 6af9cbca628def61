import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { record } from '../report/dataset.js';
import { testStore } from '../support/store.js';
import { cliFolder } from './cli-folder.js';

/**
 * `tokometer prices` with no subcommand runs `prices unpriced`, as SPEC §9 documents ("A
 * call to a model with no known price is recorded with cost_usd = null … and `tokometer
 * prices` lists such models"), unlike `keys` and `config`, which print their help. Its
 * help did not say so: it listed `unpriced` among six subcommands like any other.
 */

const { dir, cli } = cliFolder('tokometer-prices-help-');

describe('tokometer prices without a subcommand', () => {
  it('prices --help says that prices alone runs prices unpriced', async () => {
    const res = await cli(['prices', '--help']);
    expect(res.code).toBe(0);
    expect(res.out).toContain('\nWith no subcommand, `tokometer prices` runs `prices unpriced`: the models seen in recorded calls without a price.\n');
  });

  it('prices alone prints what prices unpriced prints', async () => {
    const db = path.join(dir(), 'calls.db');
    const store = testStore(openDriver(db));
    store.insertCalls([{ ...record({ at: '2026-11-20T10:00:00Z', model: 'mystery-1' }), costNano: null }]);
    await store.close();
    const unpriced = await cli(['prices', 'unpriced', '--db', db]);
    expect(unpriced.code).toBe(0);
    expect(unpriced.out).toContain('mystery-1');
    expect(await cli(['prices', '--db', db])).toEqual(unpriced);
  });
});
