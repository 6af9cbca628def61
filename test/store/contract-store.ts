import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { WRITER_CACHE_KIB } from '../../src/store/call-writer.js';
import { SQLITE_PAGE_BYTES, WAL_AUTOCHECKPOINT_PAGES } from '../../src/store/drivers/setup.js';
import { SchemaVersionError } from '../../src/store/migrations/index.js';
import { count, dbPath, makeCall, openStore, pragma, readCalls, rejected, thrown, type ContractCase } from './fixtures.js';

export const storeCases: ContractCase[] = [
  {
    name: 'WAL, synchronous=NORMAL, busy_timeout, wal_autocheckpoint and foreign_keys are set',
    async run(open, tmp) {
      const s = openStore(open, dbPath(tmp));
      assert.equal(pragma(s.driver, 'journal_mode'), 'wal');
      assert.equal(pragma(s.driver, 'synchronous'), 1);
      assert.equal(pragma(s.driver, 'busy_timeout'), 5000);
      assert.equal(pragma(s.driver, 'wal_autocheckpoint'), WAL_AUTOCHECKPOINT_PAGES);
      assert.equal(pragma(s.driver, 'foreign_keys'), 1);
      await s.close();
    },
  },
  {
    name: 'a new database gets SQLITE_PAGE_BYTES pages; one created with 4,096-byte pages keeps them and its calls',
    async run(open, tmp) {
      assert.notEqual(SQLITE_PAGE_BYTES, 4096);
      const fresh = openStore(open, dbPath(tmp, 'new.db'));
      assert.equal(pragma(fresh.driver, 'page_size'), SQLITE_PAGE_BYTES);
      await fresh.close();

      // An older file: rebuilt with SQLite's default page size (VACUUM can change it only outside WAL).
      const path = dbPath(tmp, 'old.db');
      const old = openStore(open, path);
      old.insertCalls([makeCall(1), makeCall(2)]);
      old.driver.exec('PRAGMA journal_mode = DELETE');
      old.driver.exec('PRAGMA page_size = 4096');
      old.driver.exec('VACUUM');
      old.driver.exec('PRAGMA journal_mode = WAL');
      assert.equal(pragma(old.driver, 'page_size'), 4096);
      await old.close();

      const reopened = openStore(open, path);
      assert.equal(pragma(reopened.driver, 'page_size'), 4096);
      assert.equal(pragma(reopened.driver, 'journal_mode'), 'wal');
      reopened.insertCalls([makeCall(3)]);
      assert.deepEqual(readCalls(reopened.driver).map((c) => c.ts), [makeCall(1).ts, makeCall(2).ts, makeCall(3).ts]);
      await reopened.close();
    },
  },
  {
    name: 'the connection that writes calls gets WRITER_CACHE_KIB of page cache with its first posting, and keeps the driver\'s default before',
    async run(open, tmp) {
      const s = openStore(open, dbPath(tmp));
      // The builds' own defaults: bun:sqlite -2000 (SQLite's), better-sqlite3 -16000.
      const builtIn = s.driver.name === 'bun:sqlite' ? -2000 : -16000;
      s.insertCalls([makeCall(1, { tags: { feature: 'chat', user_tier: 'free' } })]);
      assert.equal(pragma(s.driver, 'cache_size'), builtIn);
      s.insertCalls([makeCall(2, { tags: { feature: 'chat', user_id: 'u_1' } }), makeCall(3, { tags: { user_id: 'u_2' } })]);
      assert.equal(pragma(s.driver, 'cache_size'), -WRITER_CACHE_KIB);
      // One posting per user of the batch.
      assert.equal(count(s.driver, 'call_postings'), 2);
      await s.close();
    },
  },
  {
    name: 'new database file (and its WAL) get mode 0600',
    async run(open, tmp) {
      if (process.platform === 'win32') return;
      const s = openStore(open, dbPath(tmp));
      s.insertCalls([makeCall(1)]);
      assert.equal(statSync(dbPath(tmp)).mode & 0o777, 0o600);
      const wal = `${dbPath(tmp)}-wal`;
      if (existsSync(wal)) assert.equal(statSync(wal).mode & 0o777, 0o600);
      await s.close();
    },
  },
  {
    name: 'read-only open reads but cannot write, and never creates or migrates',
    async run(open, tmp) {
      assert.ok(thrown(() => open(dbPath(tmp, 'missing.db'), { readonly: true })));
      assert.equal(existsSync(dbPath(tmp, 'missing.db')), false);

      const fresh = open(dbPath(tmp, 'fresh.db'));
      fresh.close();
      assert.ok(thrown(() => openStore(open, dbPath(tmp, 'fresh.db'), true)) instanceof SchemaVersionError);

      // The writer is closed first: a read-only connection must also open a WAL database alone.
      const rw = openStore(open, dbPath(tmp));
      rw.insertCalls([makeCall(1)]);
      await rw.close();
      const ro = openStore(open, dbPath(tmp), true);
      assert.equal(readCalls(ro.driver).length, 1);
      assert.ok(thrown(() => ro.insertCalls([makeCall(2)])));
      assert.ok(thrown(() => ro.driver.exec('DELETE FROM calls')));
      assert.ok(await rejected(ro.keys.create({ name: 'k', prefix: 'p', hash: 'h', createdAt: 1 })));
      const rw2 = openStore(open, dbPath(tmp));
      assert.equal(readCalls(ro.driver).length, 1);
      rw2.insertCalls([makeCall(3)]);
      assert.equal(readCalls(ro.driver).length, 2);
      await ro.close();
      await rw2.close();
    },
  },
  {
    name: 'transaction rolls back and rethrows when fn throws; returns fn result otherwise',
    async run(open, tmp) {
      const s = openStore(open, dbPath(tmp));
      const boom = new Error('boom');
      const err = thrown(() =>
        s.driver.transaction(() => {
          s.insertCalls([makeCall(1)]);
          s.driver.exec("INSERT INTO keys (name, prefix, hash, created_at) VALUES ('k', 'p', 'h', 1)");
          throw boom;
        }),
      );
      assert.equal(err, boom);
      assert.equal(count(s.driver, 'calls'), 0);
      assert.equal(count(s.driver, 'call_tag_keys'), 0);
      assert.equal(count(s.driver, 'keys'), 0);
      assert.equal(s.driver.transaction(() => 42), 42);
      await s.close();
    },
  },
  {
    name: 'prepared statements: run/get/all with positional params; get on no row is undefined',
    run(open, tmp) {
      const d = open(dbPath(tmp));
      d.exec('CREATE TABLE t (a INTEGER, b TEXT, c BLOB); CREATE TABLE u (x INTEGER);');
      const ins = d.prepare('INSERT INTO t (a, b, c) VALUES (?, ?, ?)');
      const r = ins.run(1, 'x', new Uint8Array([1, 2]));
      assert.equal(r.changes, 1);
      assert.equal(Number(r.lastInsertRowid), 1);
      ins.run(2, null, null);
      assert.equal(d.prepare('SELECT a FROM t WHERE a = ?').get(3), undefined);
      assert.deepEqual(d.prepare('SELECT a, b FROM t ORDER BY a').all(), [{ a: 1, b: 'x' }, { a: 2, b: null }]);
      assert.deepEqual([...(d.prepare('SELECT c FROM t WHERE a = 1').get<{ c: Uint8Array }>()!.c)], [1, 2]);
      d.close();
    },
  },
];
