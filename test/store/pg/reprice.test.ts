import { describe, expect, it } from 'vitest';
import { postgresCallSink } from '../../../src/store/pg/call-sink.js';
import { PG_MIGRATIONS, migratePostgres } from '../../../src/store/pg/migrations/index.js';
import { createPriceStore } from '../../../src/store/price-store.js';
import type { CallRecord } from '../../../src/store/types.js';
import { record } from '../../report/dataset.js';
import { T0 } from '../../report/rollup-arbitraries.js';
import { pgDatabases } from '../../support/pg-databases.js';
import { atNewPrices, checkRepriceProperty, price } from '../reprice-property.js';
import { snapshot } from './snapshot.js';

/**
 * Repricing on PostgreSQL: random calls repriced equal the same calls written at the new
 * prices (as on SQLite, reprice.test.ts), and runs going at once on several connections,
 * beside a writer adding calls to the same rollup rows, move every cost exactly once.
 */

const pg = pgDatabases();

async function target(label: string) {
  const url = await pg.url(label);
  const db = pg.pool(url);
  await migratePostgres(db, PG_MIGRATIONS);
  const sink = postgresCallSink(db);
  return { dialect: 'postgres' as const, url, db, insert: (calls: readonly CallRecord[]) => sink.write(calls), prices: createPriceStore(db), rows: (sql: string) => db.all(sql) };
}

const HOUR = 3_600_000;
const tagsOf = (i: number) => ({ user_id: `u${i % 7}`, feature: ['chat', 'search', 'summary'][i % 3]!, user_tier: i % 2 === 0 ? 'free' : 'pro' });
const stripChangedAt = (snap: Record<string, Record<string, unknown>[]>) => ({ ...snap, tag_keys: snap.tag_keys!.map(({ changed_at: _, ...k }) => k) });

describe('prices reprice in the PostgreSQL store', () => {
  it('repriced database = database written at the new prices (calls, rollups, entity rows)', async () => {
    await checkRepriceProperty(
      async () => {
        const t = await target('reprice-prop');
        return { ...t, close: () => Promise.resolve() };
      },
      { numRuns: 8, maxCalls: 60 },
    );
  });

  it('two runs at once on two connections, beside a writer on the same rows: each cost moves once; a poller sees every spend change', async () => {
    const { url, db, insert, prices } = await target('reprice-race');
    const other = pg.pool(url);
    const calls = Array.from({ length: 400 }, (_, i) => record({ at: T0 + (i % 40) * 60_000 + Math.floor(i / 40) * HOUR, model: i % 5 === 0 ? 'gpt-4o' : 'gpt-4o-mini', input: 100 + i, output: 10 + (i % 13), tags: tagsOf(i) }));
    await insert(calls);
    // New calls, already at the new prices, land in the same hours while the runs go.
    const late = Array.from({ length: 200 }, (_, i) => atNewPrices(record({ at: T0 + (i % 40) * 60_000 + 7, model: 'gpt-4o-mini', input: 50 + i, output: 5, tags: tagsOf(i) }), 0, Infinity, null));
    const sink = postgresCallSink(other);
    const options = { since: T0, until: T0 + 30 * HOUR, actor: 'test', clock: () => T0 + 30 * HOUR, prices: 'config', price, batchSize: 25 };
    // A proxy's poll (serve-prices.ts): the rows above the last id seen, until the runs are done.
    const seen: number[] = [];
    let done = false;
    const poll = async () => {
      for (const c of await prices.spendChangesAfter(seen.at(-1) ?? 0, 10_000)) seen.push(c.id);
    };
    const poller = (async () => {
      while (!done) {
        await poll();
        await new Promise((r) => setTimeout(r, 2));
      }
      await poll();
    })();
    const [a, b] = await Promise.all([
      prices.reprice(options),
      createPriceStore(other).reprice(options),
      (async () => {
        for (let i = 0; i < late.length; i += 20) await sink.write(late.slice(i, i + 20));
      })(),
    ]);
    done = true;
    await poller;

    const expected = calls.map((c) => atNewPrices(c, 0, Infinity, null));
    const changedOnce = calls.filter((c, i) => expected[i]!.costNano !== c.costNano).length;
    expect(a.changed + b.changed).toBe(changedOnce);
    const reference = await target('reprice-race-ref');
    await reference.insert([...expected, ...late]);
    expect(stripChangedAt(await snapshot((sql) => db.all(sql), 'postgres'))).toEqual(stripChangedAt(await snapshot(reference.rows, 'postgres')));

    const changes = await prices.spendChangesAfter(0, 10_000);
    expect(changes.length).toBe(changedOnce);
    expect(changes.reduce((n, c) => n + c.deltaNano, 0)).toBe(expected.reduce((n, c) => n + c.costNano!, 0) - calls.reduce((n, c) => n + c.costNano!, 0));
    expect(seen).toEqual(changes.map((c) => c.id));
  });
});
