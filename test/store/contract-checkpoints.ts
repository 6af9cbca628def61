import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { SAFETY_NET_PAGES, startCheckpointer, type WorkerDriver } from '../../src/store/checkpointer.js';
import { dbPath, makeCall, openStore, pragma, tick, type ContractCase } from './fixtures.js';

/** The worker opens the file with the same binding as the connection under test. */
const workerDriverFor = (name: string): WorkerDriver =>
  name === 'bun:sqlite' ? { kind: 'bun:sqlite' } : { kind: 'better-sqlite3', module: createRequire(import.meta.url).resolve('better-sqlite3') };

const size = (path: string) => statSync(path).size;

export const checkpointCases: ContractCase[] = [
  {
    name: 'the checkpoint worker copies committed WAL pages into the database file; the writer keeps writing',
    async run(open, tmp) {
      const path = dbPath(tmp);
      const store = openStore(open, path);
      store.driver.exec('PRAGMA wal_autocheckpoint = 0'); // only the worker checkpoints
      for (let i = 0; i < 20; i++) store.insertCalls(Array.from({ length: 100 }, (_, j) => makeCall(i * 100 + j)));
      const dbBefore = size(path);
      assert.ok(size(`${path}-wal`) > 8 * dbBefore, `the calls are still in the WAL (${size(`${path}-wal`)} vs ${dbBefore} bytes)`);

      const errors: string[] = [];
      const checkpoints = await startCheckpointer({ dbPath: path, driver: workerDriverFor(store.driver.name), intervalMs: 10, onError: (m) => errors.push(m) });
      for (let waited = 0; size(path) <= 4 * dbBefore && waited < 5000; waited += 20) await tick(20);
      assert.ok(size(path) > 4 * dbBefore, `the database file took the pages (${dbBefore} → ${size(path)} bytes)`);

      // The writer carries on while the worker runs; once the worker has caught up, the WAL is rewound, not grown.
      const walAfterCheckpoint = size(`${path}-wal`);
      for (let i = 0; i < 5; i++) {
        store.insertCalls([makeCall(10_000 + i)]);
        await tick(30);
      }
      assert.equal(size(`${path}-wal`), walAfterCheckpoint, 'the WAL file is reused from its start');
      await checkpoints.stop();
      await checkpoints.stop(); // idempotent
      assert.deepEqual(errors, []);
      assert.equal(Number((store.driver.prepare('SELECT COUNT(*) AS n FROM calls').get() as { n: number }).n), 2005);
      store.close();
    },
  },
  {
    name: 'the checkpoint worker refuses to start on a missing file, and the safety net is a page count',
    async run(open, tmp) {
      const store = openStore(open, dbPath(tmp));
      const missing = dbPath(tmp, 'missing.db');
      await assert.rejects(startCheckpointer({ dbPath: missing, driver: workerDriverFor(store.driver.name), onError: () => {} }));
      store.driver.exec(`PRAGMA wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
      assert.equal(Number(pragma(store.driver, 'wal_autocheckpoint')), SAFETY_NET_PAGES);
      store.close();
    },
  },
];
