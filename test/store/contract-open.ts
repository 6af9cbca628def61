import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { initial } from '../../src/store/migrations/001-initial.js';
import { LATEST_VERSION, SchemaVersionError, migrate } from '../../src/store/migrations/index.js';
import { DatabaseNotFoundError, openDriverToRead, openStore, upgradeNotice } from '../../src/store/open.js';
import { dbPath, makeCall, pragma, rejected, thrown, type ContractCase } from './fixtures.js';
import { testStore } from '../support/store.js';

/** store/open.ts: read-only commands never create a database; writing commands create the file, never a folder. */
export const openCases: ContractCase[] = [
  {
    name: 'open for reading: a missing file or folder is DatabaseNotFoundError (exit 2) naming the path; nothing is created',
    run(open, tmp) {
      const missing = dbPath(tmp, 'typo.db');
      const err = thrown(() => openStore(open, missing, 'read'));
      assert.ok(err instanceof DatabaseNotFoundError);
      assert.equal(err.exitCode, 2);
      assert.match(err.message, new RegExp(`no database at ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.ok(thrown(() => openDriverToRead(open, missing)) instanceof DatabaseNotFoundError);
      const inMissingFolder = join(tmp, 'no-such-dir', 'x.db');
      const folderErr = thrown(() => openStore(open, inMissingFolder, 'read')) as Error;
      assert.ok(folderErr instanceof DatabaseNotFoundError);
      assert.match(folderErr.message, /the folder .*no-such-dir does not exist/);
      assert.deepEqual(readdirSync(tmp), []);
    },
  },
  {
    name: 'open to create: a new file is made and migrated; a missing folder is an error and stays missing',
    async run(open, tmp) {
      const err = thrown(() => openStore(open, join(tmp, 'nope', 'x.db'), 'create'));
      assert.ok(err instanceof DatabaseNotFoundError);
      assert.match((err as Error).message, /cannot create the database .*nope.*does not exist/);
      assert.equal(existsSync(join(tmp, 'nope')), false);

      const created = openStore(open, dbPath(tmp), 'create');
      await created.keys.create({ name: 'k', prefix: 'p', hash: 'h', createdAt: 1 });
      await created.close();
      const reader = openStore(open, dbPath(tmp), 'read');
      assert.deepEqual((await reader.keys.list()).map((k) => k.name), ['k']);
      assert.ok(await rejected(reader.keys.create({ name: 'x', prefix: 'p', hash: 'x', createdAt: 1 })));
      await reader.close();
    },
  },
  {
    name: 'open to write (prices reprice): a missing file is DatabaseNotFoundError and is not created; an existing one opens read-write, an older schema migrated',
    async run(open, tmp) {
      const missing = dbPath(tmp, 'typo.db');
      const err = thrown(() => openStore(open, missing, 'write'));
      assert.ok(err instanceof DatabaseNotFoundError);
      assert.match((err as Error).message, /no database at .*typo\.db/);
      assert.deepEqual(readdirSync(tmp), []);

      const v1 = open(dbPath(tmp));
      migrate(v1, [initial]);
      v1.close();
      const writer = openStore(open, dbPath(tmp), 'write');
      await writer.keys.create({ name: 'k', prefix: 'p', hash: 'h', createdAt: 1 });
      assert.equal(await writer.prices.latestSnapshotId(), null);
      await writer.close();
      const check = open(dbPath(tmp), { readonly: true });
      assert.equal(pragma(check, 'user_version'), LATEST_VERSION);
      check.close();
    },
  },
  {
    name: 'open for reading: an older schema is upgraded first and then read; a newer one is refused',
    async run(open, tmp) {
      mkdirSync(join(tmp, 'old'));
      const path = join(tmp, 'old', 'v1.db');
      const v1 = open(path);
      migrate(v1, [initial]);
      v1.prepare("INSERT INTO keys (name, prefix, hash, created_at) VALUES ('old', 'p', 'h', 1)").run();
      v1.close();
      assert.equal(upgradeNotice(open, path), `upgrading ${path} from schema v1 to v${LATEST_VERSION} (once; on a large database this can take minutes)…`);
      const reader = testStore(openDriverToRead(open, path), { readonly: true });
      assert.equal(pragma(reader.driver, 'user_version'), LATEST_VERSION);
      assert.equal(upgradeNotice(open, path), null);
      assert.equal(upgradeNotice(open, join(tmp, 'old', 'missing.db')), null);
      assert.deepEqual((await reader.keys.list()).map((k) => k.name), ['old']);
      assert.deepEqual(await reader.budgets.alerts(), []);
      await reader.close();

      const w = testStore(open(dbPath(tmp)));
      w.insertCalls([makeCall(1)]);
      await w.close();
      const newer = open(dbPath(tmp));
      newer.exec(`PRAGMA user_version = ${LATEST_VERSION + 1}`);
      newer.close();
      assert.ok(thrown(() => openStore(open, dbPath(tmp), 'read')) instanceof SchemaVersionError);
    },
  },
  {
    // bun:sqlite's close() is sqlite3_close_v2: with a statement unfinalized, the connection
    // stayed open until the garbage collector finalized it, so the last close left the -wal
    // file and serve could not tell its own new database from one another process had open.
    name: 'close() closes the connection at once, its prepared statements with it: the last of two connections to close removes the -wal file',
    run(open, tmp) {
      const first = open(dbPath(tmp));
      first.exec('CREATE TABLE t (x INTEGER)');
      const insert = first.prepare('INSERT INTO t (x) VALUES (?)');
      insert.run(1);
      const second = open(dbPath(tmp));
      const read = second.prepare('SELECT x FROM t');
      assert.deepEqual(read.all(), [{ x: 1 }]);
      second.close();
      assert.equal(existsSync(`${dbPath(tmp)}-wal`), true, 'the first connection still has the database open');
      first.close();
      assert.deepEqual(readdirSync(tmp), ['tokometer.db']);
      // Alive until here, so no garbage collection could have finalized them before the closes.
      assert.ok(insert !== undefined && read !== undefined);
    },
  },
];
