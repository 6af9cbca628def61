import assert from 'node:assert/strict';
import { LATEST_VERSION, MIGRATIONS, SchemaVersionError, migrate, type Migration } from '../../src/store/migrations/index.js';
import { count, dbPath, makeCall, openStore, pragma, thrown, type ContractCase } from './fixtures.js';

const tableExists = (d: ReturnType<typeof openStore>['driver'], name: string) =>
  d.prepare("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;

export const migrationCases: ContractCase[] = [
  {
    name: 'migrations are idempotent and keep data (open twice)',
    run(open, tmp) {
      const a = openStore(open, dbPath(tmp));
      a.insertCalls([makeCall(1)]);
      assert.equal(pragma(a.driver, 'user_version'), LATEST_VERSION);
      a.close();
      const b = openStore(open, dbPath(tmp));
      assert.equal(pragma(b.driver, 'user_version'), LATEST_VERSION);
      assert.equal(count(b.driver, 'calls'), 1);
      for (const t of ['calls', 'call_postings', 'keys']) assert.ok(tableExists(b.driver, t), t);
      b.close();
    },
  },
  {
    name: 'a database newer than this build is refused',
    run(open, tmp) {
      const d = open(dbPath(tmp));
      d.exec(`PRAGMA user_version = ${LATEST_VERSION + 1}`);
      d.close();
      assert.ok(thrown(() => openStore(open, dbPath(tmp))) instanceof SchemaVersionError);
    },
  },
  {
    name: 'an appended migration applies once; a failing one leaves the previous version intact',
    run(open, tmp) {
      const s = openStore(open, dbPath(tmp));
      const next = LATEST_VERSION + 1;
      const broken: Migration = { version: next, name: 'broken', up: 'CREATE TABLE half_done (a); INSERT INTO no_such_table VALUES (1);' };
      assert.ok(thrown(() => migrate(s.driver, [...MIGRATIONS, broken])));
      assert.equal(pragma(s.driver, 'user_version'), LATEST_VERSION);
      assert.equal(tableExists(s.driver, 'half_done'), false);

      const good: Migration = { version: next, name: 'rollups', up: 'CREATE TABLE rollups_test (day INTEGER PRIMARY KEY);' };
      assert.equal(migrate(s.driver, [...MIGRATIONS, good]), next);
      assert.equal(migrate(s.driver, [...MIGRATIONS, good]), next);
      assert.ok(tableExists(s.driver, 'rollups_test'));
      const gap: Migration = { version: next + 5, name: 'gap', up: 'SELECT 1' };
      assert.ok(thrown(() => migrate(s.driver, [...MIGRATIONS, good, gap])));
      s.close();
    },
  },
];
