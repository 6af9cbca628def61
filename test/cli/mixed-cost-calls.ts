import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { record, SINCE } from '../audit/helpers.js';
import { testStore } from '../support/store.js';

/**
 * Writes to the SQLite database `file` three calls whose cost is partly unknown, for the
 * reprice and history tests: gpt-4o at 1,000 in / 100 out ($2.50 / $10 per 1M now =
 * 2,500,000 + 1,000,000 = 3,500,000 nano-USD a call), one stored at 3,000,000 and one
 * stored without a cost; acme-llm-7b (no price anywhere) stored without a cost.
 */
export async function writeMixedCostCalls(file: string): Promise<void> {
  const store = testStore(openDriver(file));
  store.insertCalls([
    record({ at: SINCE, cost: 3_000_000 }),
    record({ at: SINCE + 60_000, cost: null }),
    record({ at: SINCE + 120_000, model: 'acme-llm-7b', provider: 'together', cost: null }),
  ]);
  await store.close();
}
