import { advisorNoteCases } from './contract-advisor-note.js';
import { capReachedCases } from './contract-cap-reached.js';
import { compactionStepCases } from './contract-compaction-steps.js';
import { tierNoteCases } from './contract-tier-note.js';
import { dbCases } from './contract-db.js';
import { facadeStoreCases, type ContractStore, type FacadeCase, type StoreEnv } from './contract-facade.js';
import { migrationCases } from './contract-migrations.js';
import { moduleCases } from './contract-modules.js';
import { priceCases } from './contract-prices.js';
import { prunedSpendCases } from './contract-pruned-spend.js';
import { openCases } from './contract-open.js';
import { queueCases } from './contract-queue.js';
import { storeCases } from './contract-store.js';
import { writerThreadCases } from './contract-writer-thread.js';
import { dbPath, openStore, type ContractCase } from './fixtures.js';

export type { ContractCase } from './fixtures.js';

/** The facade's cases on one SQLite driver: every `open` is another connection to one file. */
function onSqlite(c: FacadeCase): ContractCase {
  return {
    name: c.name,
    run(open, tmp) {
      const env: StoreEnv = {
        dialect: 'sqlite',
        async open(access = 'create'): Promise<ContractStore> {
          const s = openStore(open, dbPath(tmp), access === 'read');
          return {
            ...s,
            insertCalls: async (records) => s.insertCalls(records),
            rows: async (sql, params = []) => s.driver.prepare(sql).all(...params),
            exec: async (sql) => s.driver.exec(sql),
          };
        },
      };
      return c.run(env);
    },
  };
}

/** The Store facade cases, run on every store (SQLite here, PostgreSQL in pg/store-contract.test.ts). */
export const facadeCases: readonly FacadeCase[] = [...facadeStoreCases, ...moduleCases, ...priceCases, ...advisorNoteCases, ...compactionStepCases, ...tierNoteCases, ...prunedSpendCases, ...capReachedCases];

/**
 * The store contract: every case must pass on every SqlDriver. Runtime-neutral (only
 * node:assert/strict, node:fs, node:path, node:os), so it runs under vitest on Node and
 * under `bun run` (see bun-contract-runner.ts). Each case gets a fresh empty tmpDir.
 */
export const contractCases: readonly ContractCase[] = [...dbCases, ...migrationCases, ...storeCases, ...facadeCases.map(onSqlite), ...openCases, ...queueCases, ...writerThreadCases];
