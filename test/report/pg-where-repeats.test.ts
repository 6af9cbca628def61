import { describe, it } from 'vitest';
import { postgresCallSink } from '../../src/store/pg/call-sink.js';
import { openPostgresStore } from '../../src/store/pg/pg-store.js';
import { pgDatabases } from '../support/pg-databases.js';
import { record } from './dataset.js';
import { checkWhereRepeats } from './where-repeat-cases.js';
import { CALLS } from './windows-harness.js';

/** Repeating --where on one key keeps calls with any of the values, on PostgreSQL (its own SQL dialect) too. */

const databases = pgDatabases();

describe('report --where repeated on one key, PostgreSQL', () => {
  it('rollups and raw rows agree', async () => {
    const store = await openPostgresStore(await databases.url('where_repeats'), 'create');
    try {
      await postgresCallSink(store.db).write(CALLS.map(record));
      await checkWhereRepeats(store);
    } finally {
      await store.close();
    }
  });
});
