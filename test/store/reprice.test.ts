import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'vitest';
import { createCallWriter } from '../../src/store/call-writer.js';
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

  it('with entity rows pending (serve’s entity fold), repricing folds them before it moves any cost', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-reprice-fold-'));
    let files = 0;
    try {
      await checkRepriceProperty(
        async () => {
          const file = path.join(dir, `${files++}.db`);
          const s = testStore(openDriver(file));
          // serve's writer on its own connection, holding every entity row in memory: all are pending when the reprice starts.
          const writer = createCallWriter(openDriver(file), undefined, { entityHoldMs: 1e12 });
          let open = true;
          return {
            dialect: 'sqlite',
            insert: async (calls) => writer.insertCalls(calls),
            prices: s.prices,
            rows: async (sql) => {
              // The writer stops and writes its fold: what it holds, unless someone folded its calls meanwhile.
              if (open) writer.close();
              open = false;
              return s.driver.prepare(sql).all<Record<string, unknown>>();
            },
            close: async () => {
              if (open) writer.close();
              await s.close();
            },
          };
        },
        { numRuns: 40, maxCalls: 60 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
