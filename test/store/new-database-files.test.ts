import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { MIGRATIONS, migrate } from '../../src/store/migrations/index.js';
import { newDatabaseFiles } from '../../src/store/new-database-files.js';
import { closeProxyStorage, openProxyStorage } from '../../src/store/proxy-storage.js';
import { forgetMark, forgetStaleMarks, storedMark } from '../../src/store/writer-marks.js';

/**
 * newDatabaseFiles tells serve's own writes from another connection's by SQLite's
 * PRAGMA data_version on serve's storage connection: its own commits (migrations, config
 * keys) and a second connection that commits nothing (serve's writer thread in a failed
 * start) leave the new file removable; a second connection's commit keeps it.
 */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tokometer-new-db-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const files = () => readdirSync(dir).sort();

/** serve's steps on `new.db`: note, open, migrate and write on its own connection, `meanwhile`, then a failed start's close and removal. */
async function failedStart(meanwhile: (file: string) => void): Promise<void> {
  const file = path.join(dir, 'new.db');
  const newDatabase = newDatabaseFiles(file, undefined);
  const storage = await openProxyStorage(file, async () => openDriver);
  newDatabase.opened(storage);
  if (storage.engine !== 'sqlite') throw new Error('expected SQLite');
  migrate(storage.driver, MIGRATIONS);
  storage.driver.prepare("INSERT INTO keys (name, prefix, hash, tags, created_at) VALUES ('from-config', 'mk_bbbb', 'hash-b', '{}', 1764547200000)").run();
  meanwhile(file);
  newDatabase.closing();
  await closeProxyStorage(storage);
  newDatabase.remove();
}

describe('newDatabaseFiles after a failed start', () => {
  it('removes the file when only serve wrote to it and a second connection of its own committed nothing (the writer thread: read its mark, delete no marks, close)', async () => {
    await failedStart((file) => {
      const writer = openDriver(file);
      expect(storedMark(writer, 'run-1')).toBe(0);
      forgetMark(writer, 'run-1');
      forgetStaleMarks(writer, Date.parse('2026-12-01T00:00:00Z'));
      writer.close();
    });
    expect(files()).toEqual([]);
  });

  it('keeps the file when another connection committed a row while serve had it open, though its -wal is gone once serve closes', async () => {
    await failedStart((file) => {
      const other = openDriver(file);
      other.prepare("INSERT INTO keys (name, prefix, hash, tags, created_at) VALUES ('app', 'mk_aaaa', 'hash-a', '{}', 1764547200000)").run();
      other.close();
    });
    expect(files()).toEqual(['new.db']);
    const kept = openDriver(path.join(dir, 'new.db'), { readonly: true });
    expect(kept.prepare('SELECT name FROM keys ORDER BY name').all()).toEqual([{ name: 'app' }, { name: 'from-config' }]);
    kept.close();
  });
});
