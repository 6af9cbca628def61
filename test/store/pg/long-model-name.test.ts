import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { spendReport } from '../../../src/report/query.js';
import type { ReportQuery } from '../../../src/report/types.js';
import { openDriver } from '../../../src/store/drivers/better-sqlite3.js';
import type { Store } from '../../../src/store/facade.js';
import { createPostgresRecordWriter } from '../../../src/store/pg/call-sink.js';
import { openPostgresStore } from '../../../src/store/pg/pg-store.js';
import type { CallRecord } from '../../../src/store/types.js';
import { record } from '../../report/dataset.js';
import { pgDatabases } from '../../support/pg-databases.js';
import { testStore } from '../../support/store.js';

/**
 * A model name is whatever the client's body (or the provider's answer) says: any length.
 * PostgreSQL's btree indexes take at most ~2.7 KB per entry, and rollup_dims.ident (UNIQUE)
 * holds the model name, so a call with a 3,000-byte model name could not be stored there
 * (SQLite has no such limit). The stores keep a model name of at most 256 UTF-8 bytes:
 * a longer one is cut at a character boundary and ends with '…' (domain/model-names.ts).
 * Random base64 text: pglz cannot compress it to fit the index (a repeated letter would).
 */

const pg = pgDatabases();
const T0 = Date.UTC(2026, 10, 20, 10);
const NOVEMBER: ReportQuery = { since: Date.UTC(2026, 10, 1), until: Date.UTC(2026, 11, 1), by: ['model'], where: [], timeZone: 'UTC' };

/** 3,000 ASCII characters (3,000 bytes), incompressible. */
const LONG_MODEL = randomBytes(2250).toString('base64');
/** Its stored form: the first 253 bytes and '…' (3 bytes): 256 bytes. */
const LONG_MODEL_STORED = `${LONG_MODEL.slice(0, 253)}…`;
/** The longest tag value the proxy, the admin API and the config accept (256 characters), 4 UTF-8 bytes each: 1,024 bytes. */
const LONGEST_TAG_VALUE = Array.from({ length: 256 }, (_, i) => String.fromCodePoint(0x1f300 + ((i * 37) % 700))).join('');

const CALLS: CallRecord[] = [
  record({ at: T0, cost: 1000 }),
  record({ at: T0 + 1, cost: 2_000_000, model: LONG_MODEL }),
  record({ at: T0 + 2, cost: 3000, tags: { user_tier: LONGEST_TAG_VALUE, tenant_id: LONGEST_TAG_VALUE, user_id: LONGEST_TAG_VALUE, feature: LONGEST_TAG_VALUE } }),
  record({ at: T0 + 3, cost: 40_000, model: LONG_MODEL, tags: { feature: LONGEST_TAG_VALUE, user_id: LONGEST_TAG_VALUE, user_tier: LONGEST_TAG_VALUE } }),
];

const byModel = async (store: Store) => (await spendReport(store.reports, NOVEMBER)).rows.map((r) => [r.group['model'], r.costNano, r.calls]);

describe('a call with a very long model name (PostgreSQL and SQLite alike)', () => {
  it('is stored with its model name bounded, and the rest of its batch too', async () => {
    const store = await openPostgresStore(await pg.url('long_model'), 'create');
    try {
      const errors: string[] = [];
      const writer = createPostgresRecordWriter(store.db, { onError: (e) => void errors.push(`${e.kind}: ${(e.cause as Error).message.slice(0, 120)}`) });
      for (const call of CALLS) writer.enqueue(call);
      expect(await writer.flush()).toBe(true);
      await writer.drain();
      expect(errors).toEqual([]);
      const rows = await store.db.all<{ model: string; model_requested: string; cost_nano: number }>('SELECT model, model_requested, cost_nano FROM calls ORDER BY ts');
      expect(rows).toEqual([
        { model: 'gpt-4o-mini', model_requested: 'gpt-4o-mini', cost_nano: 1000 },
        { model: LONG_MODEL_STORED, model_requested: LONG_MODEL_STORED, cost_nano: 2_000_000 },
        { model: 'gpt-4o-mini', model_requested: 'gpt-4o-mini', cost_nano: 3000 },
        { model: LONG_MODEL_STORED, model_requested: LONG_MODEL_STORED, cost_nano: 40_000 },
      ]);
      // Whole hours of November: answered from rollups. 2,000,000 + 40,000 and 1,000 + 3,000.
      expect(await byModel(store)).toEqual([
        [LONG_MODEL_STORED, 2_040_000, 2],
        ['gpt-4o-mini', 4000, 2],
      ]);
      const lite = testStore(openDriver(':memory:'));
      lite.insertCalls(CALLS);
      expect(await byModel(lite)).toEqual(await byModel(store));
      expect(lite.driver.prepare('SELECT model, model_requested FROM calls ORDER BY ts').all()).toEqual(rows.map(({ model, model_requested }) => ({ model, model_requested })));
    } finally {
      await store.close();
    }
  });
});
