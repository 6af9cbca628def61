import assert from 'node:assert/strict';
import type { Db } from '../../src/store/db.js';
import { sqliteDb } from '../../src/store/db.js';
import { dbPath, type ContractCase } from './fixtures.js';

/** One case of the Db seam contract; `newDb` gives a fresh, empty database each call. */
export interface DbCase {
  name: string;
  run(newDb: () => Promise<Db>): Promise<void>;
}

/** A case on one fresh Db, closed when `run` has passed. */
function dbCase(name: string, run: (db: Db) => Promise<void>): DbCase {
  return {
    name,
    async run(newDb) {
      const db = await newDb();
      await run(db);
      await db.close();
    },
  };
}

/**
 * The asynchronous Db seam (store/db.ts): every case holds on SQLite (each driver) and on
 * PostgreSQL. SQL here is what both dialects accept (no INTEGER PRIMARY KEY rowid tricks).
 */
export const dbSeamCases: DbCase[] = [
  dbCase('Db: all, get and run with ? placeholders; get of no row is undefined', async (db) => {
    await db.run('CREATE TABLE t (n INTEGER NOT NULL, v TEXT NOT NULL)');
    assert.equal((await db.run('INSERT INTO t (n, v) VALUES (?, ?), (?, ?)', [1, 'a', 2, 'b'])).changes, 2);
    assert.deepEqual(await db.all<{ v: string }>('SELECT v FROM t ORDER BY n'), [{ v: 'a' }, { v: 'b' }]);
    assert.deepEqual(await db.get<{ n: number }>('SELECT count(*) AS n FROM t WHERE v = ?', ['b']), { n: 1 });
    assert.equal(await db.get('SELECT v FROM t WHERE v = ?', ['zzz']), undefined);
    assert.equal((await db.run('UPDATE t SET v = ? WHERE n > ?', ['c', 0])).changes, 2);
  }),
  dbCase('Db: a ? inside a quoted literal, a quoted name or a comment is text, not a placeholder', async (db) => {
    await db.run('CREATE TABLE "odd?name" (v TEXT NOT NULL)');
    await db.run(`INSERT INTO "odd?name" (v) VALUES ('it''s ?'), (?) -- a comment with ?
        /* and ? here */`, ['x?']);
    assert.deepEqual(await db.all<{ v: string }>('SELECT v FROM "odd?name" WHERE v <> ? ORDER BY v', ['none']), [{ v: "it's ?" }, { v: 'x?' }]);
  }),
  dbCase('Db: integers up to 2^53 (ms times, nano-USD sums, counts) and reals come back as exact JS numbers; NULL as null', async (db) => {
    await db.run('CREATE TABLE m (ts BIGINT NOT NULL, cost BIGINT, lat DOUBLE PRECISION NOT NULL)');
    const big = 2 ** 51 + 7; // three of them sum past 2^52, still below 2^53
    await db.run('INSERT INTO m (ts, cost, lat) VALUES (?, ?, ?), (?, ?, ?), (?, ?, ?), (?, ?, ?)', [
      1_750_000_000_123, big, 812.25, 1_750_000_000_124, big, 0.5, 1_750_000_000_125, big, 3, 1_750_000_000_126, null, 1e-3,
    ]);
    const row = await db.get<{ n: number; total: number; first: number; lat: number; missing: number | null }>(
      'SELECT COUNT(*) AS n, SUM(cost) AS total, MIN(ts) AS first, MAX(lat) AS lat, MIN(CASE WHEN cost IS NULL THEN cost END) AS missing FROM m',
    );
    assert.deepEqual(row, { n: 4, total: 3 * big, first: 1_750_000_000_123, lat: 812.25, missing: null });
    assert.equal(typeof row?.total, 'number');
    const nulls = await db.all<{ cost: number | null }>('SELECT cost FROM m WHERE cost IS NULL');
    assert.deepEqual(nulls, [{ cost: null }]);
  }),
  dbCase('Db: a transaction commits on resolve, rolls back on throw, and nobody outside sees it half done', async (db) => {
    await db.run('CREATE TABLE t (v INTEGER NOT NULL)');
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO t (v) VALUES (1)');
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal((await db.get<{ n: number }>('SELECT count(*) AS n FROM t'))?.n, 0);

    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inserted!: () => void;
    const firstDone = new Promise<void>((r) => (inserted = r));
    const inTx = db.transaction(async (tx) => {
      await tx.run('INSERT INTO t (v) VALUES (1)');
      inserted();
      await gate;
      await tx.run('INSERT INTO t (v) VALUES (2)');
      order.push('tx');
    });
    await firstDone;
    const outside = db.get<{ n: number }>('SELECT count(*) AS n FROM t').then((r) => {
      order.push(`outside saw ${r?.n}`);
    });
    // SQLite holds the outside statement until COMMIT; PostgreSQL runs it on another
    // connection at once. Either way it never sees the first insert alone.
    if (db.dialect === 'postgres') await outside;
    release();
    await Promise.all([inTx, outside]);
    assert.deepEqual(order, db.dialect === 'sqlite' ? ['tx', 'outside saw 2'] : ['outside saw 0', 'tx']);
    assert.equal((await db.get<{ n: number }>('SELECT count(*) AS n FROM t'))?.n, 2);
  }),
  dbCase('Db: a transaction nested on tx runs inside the outer one (rolled back with it)', async (db) => {
    await db.run('CREATE TABLE t (v INTEGER NOT NULL)');
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.transaction(async (inner) => {
          await inner.run('INSERT INTO t (v) VALUES (?)', [1]);
        });
        assert.equal((await tx.get<{ n: number }>('SELECT count(*) AS n FROM t'))?.n, 1);
        throw new Error('outer fails');
      }),
      /outer fails/,
    );
    assert.equal((await db.get<{ n: number }>('SELECT count(*) AS n FROM t'))?.n, 0);
  }),
  dbCase('Db: JSON is text both ways: a JSON string bound where JSON is expected is read as written, JSON results come back as text', async (db) => {
    const json = '{"team":"search","n":2}';
    const cast = db.dialect === 'postgres' ? 'CAST(? AS json)' : 'json(?)';
    const pick = db.dialect === 'postgres' ? `${cast} ->> 'team'` : `json_extract(${cast}, '$.team')`;
    const row = await db.get<{ team: string; whole: string }>(`SELECT ${pick} AS team, ${cast} AS whole`, [json, json]);
    assert.equal(row?.team, 'search');
    assert.equal(typeof row?.whole, 'string');
    assert.deepEqual(JSON.parse(row!.whole), { team: 'search', n: 2 });
  }),
  dbCase('Db: a statement error rejects with the database error and leaves the Db usable', async (db) => {
    await db.run('CREATE TABLE u (k TEXT NOT NULL UNIQUE)');
    await db.run('INSERT INTO u (k) VALUES (?)', ['a']);
    const err = await db.run('INSERT INTO u (k) VALUES (?)', ['a']).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof Error, 'duplicate insert must fail');
    const code = String((err as { code?: unknown }).code);
    assert.ok(code === '23505' || code.startsWith('SQLITE_CONSTRAINT'), `unique violation code, got ${code}`);
    assert.equal((await db.get<{ n: number }>('SELECT count(*) AS n FROM u'))?.n, 1);
  }),
];

/** The seam cases on one SQLite driver, in the store contract's shape. */
export const dbCases: ContractCase[] = [
  ...dbSeamCases.map((c) => ({
    name: c.name,
    async run(open: Parameters<ContractCase['run']>[0], tmp: string) {
      let n = 0;
      await c.run(async () => sqliteDb(open(dbPath(tmp, `db-${++n}.db`))));
    },
  })),
  {
    name: 'Db (SQLite): the reads of a snapshot see one state; a commit of another connection between them shows only after it',
    async run(open, tmp) {
      const path = dbPath(tmp, 'snapshot.db');
      const db = sqliteDb(open(path));
      const other = open(path);
      await db.run('CREATE TABLE t (v INTEGER NOT NULL)');
      await db.run('INSERT INTO t (v) VALUES (1)');
      const count = async (on: Db) => (await on.get<{ n: number }>('SELECT count(*) AS n FROM t'))?.n;
      const seen = await db.snapshot(async (tx) => {
        const before = await count(tx);
        other.exec('INSERT INTO t (v) VALUES (2)');
        return [before, await count(tx)];
      });
      assert.deepEqual(seen, [1, 1]);
      assert.equal(await count(db), 2);
      // Without a snapshot each read sees the latest commit.
      other.exec('INSERT INTO t (v) VALUES (3)');
      assert.equal(await count(db), 3);
      other.close();
      await db.close();
    },
  },
];
