import assert from 'node:assert/strict';
import { sqliteDb } from '../../src/store/db.js';
import { dbPath, type ContractCase } from './fixtures.js';

/** The asynchronous Db seam over each SQLite driver (store/db.ts). */
export const dbCases: ContractCase[] = [
  {
    name: 'Db: all, get and run with ? placeholders; get of no row is undefined',
    async run(open, tmp) {
      const db = sqliteDb(open(dbPath(tmp)));
      await db.run('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
      assert.equal((await db.run('INSERT INTO t (v) VALUES (?), (?)', ['a', 'b'])).changes, 2);
      assert.deepEqual(await db.all<{ v: string }>('SELECT v FROM t ORDER BY id'), [{ v: 'a' }, { v: 'b' }]);
      assert.deepEqual(await db.get<{ n: number }>('SELECT count(*) AS n FROM t WHERE v = ?', ['b']), { n: 1 });
      assert.equal(await db.get('SELECT v FROM t WHERE v = ?', ['zzz']), undefined);
      await db.close();
    },
  },
  {
    name: 'Db: a transaction commits on resolve, rolls back on throw, and holds other statements until it ends',
    async run(open, tmp) {
      const db = sqliteDb(open(dbPath(tmp)));
      await db.run('CREATE TABLE t (v INTEGER NOT NULL)');
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.run('INSERT INTO t (v) VALUES (1)');
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal((await db.get<{ n: number }>('SELECT count(*) AS n FROM t'))?.n, 0);

      // A statement issued while the transaction awaits runs after COMMIT, never inside it.
      const order: string[] = [];
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const inTx = db.transaction(async (tx) => {
        await tx.run('INSERT INTO t (v) VALUES (1)');
        await gate;
        await tx.run('INSERT INTO t (v) VALUES (2)');
        order.push('tx');
      });
      const outside = db.get<{ n: number }>('SELECT count(*) AS n FROM t').then((r) => {
        order.push(`outside saw ${r?.n}`);
      });
      release();
      await Promise.all([inTx, outside]);
      assert.deepEqual(order, ['tx', 'outside saw 2']);
      await db.close();
    },
  },
];
