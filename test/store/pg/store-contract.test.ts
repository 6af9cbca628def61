import { describe, it } from 'vitest';
import { postgresCallSink } from '../../../src/store/pg/call-sink.js';
import { openPostgresStore } from '../../../src/store/pg/pg-store.js';
import { facadeCases } from '../contract.js';
import type { ContractStore, StoreEnv } from '../contract-facade.js';
import { pgDatabases } from '../../support/pg-databases.js';

/** The Store facade contract (the same cases as on both SQLite drivers) on PostgreSQL, a fresh database per case. */
const pg = pgDatabases();

async function envFor(label: string): Promise<StoreEnv> {
  const url = await pg.url(label);
  return {
    dialect: 'postgres',
    async open(access = 'create'): Promise<ContractStore> {
      const store = await openPostgresStore(url, access);
      const sink = postgresCallSink(store.db);
      return {
        ...store,
        insertCalls: (records) => sink.write(records),
        rows: (sql, params) => store.db.all(sql, params),
        exec: async (sql) => void (await store.db.sql.unsafe(sql).simple()),
      };
    },
  };
}

describe('store facade contract on PostgreSQL', () => {
  for (const c of facadeCases) it(c.name, async () => c.run(await envFor('facade')));
});
