import { describe, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { testStore } from '../support/store.js';
import { checkRepriceProperty } from './reprice-property.js';

/**
 * Repricing on SQLite (better-sqlite3, in memory): random calls repriced equal the same
 * calls written at the new prices. pg/reprice.test.ts checks the same on PostgreSQL, and
 * the store contract (contract-prices.ts) fixed cases and the audit trail on every store.
 */
describe('prices reprice in the SQLite store', () => {
  it('repriced database = database written at the new prices (calls, rollups, entity rows)', async () => {
    await checkRepriceProperty(
      async () => {
        const s = testStore(openDriver(':memory:'));
        return { dialect: 'sqlite', insert: async (calls) => s.insertCalls(calls), prices: s.prices, rows: async (sql) => s.driver.prepare(sql).all<Record<string, unknown>>(), close: () => s.close() };
      },
      { numRuns: 60, maxCalls: 60 },
    );
  });
});
