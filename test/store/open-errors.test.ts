import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { DatabaseNotFoundError, DatabaseOpenError, openStore } from '../../src/store/open.js';

/**
 * The database path can come from --db, TOKOMETER_DB or the config: an error opening it
 * names the file and what is wrong with it, never SQLite's bare "disk I/O error".
 */
describe('opening a path that is not a database', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-open-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const access of ['read', 'create'] as const) {
    it(`a folder (${access}): says it is a folder, naming it`, () => {
      expect(() => openStore(openDriver, dir, access)).toThrow(DatabaseNotFoundError);
      expect(() => openStore(openDriver, dir, access)).toThrow(`${dir} is a folder, not a database file`);
    });

    it(`a text file (${access}): names the file and says it is not a SQLite database`, () => {
      const file = path.join(dir, 'notes.db');
      writeFileSync(file, 'hello, this is not SQLite\n'.repeat(40));
      expect(() => openStore(openDriver, file, access)).toThrow(DatabaseOpenError);
      expect(() => openStore(openDriver, file, access)).toThrow(new RegExp(`cannot open the database ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(.*\\): it is not a SQLite database`));
    });
  }
});

/**
 * A trial: `serve` and `report --db rofolder/meter.db` on a folder the user cannot write said
 * only "(unable to open database file)". SQLite writes its -wal and -shm files beside the
 * database, even to read it; the message says so and names the folder. (The tests run as
 * root, whom permissions do not stop, so the opener fails as SQLite does there.)
 */
describe('a database whose folder cannot be written', () => {
  const cannotOpen = () => {
    throw Object.assign(new Error('unable to open database file'), { code: 'SQLITE_CANTOPEN' });
  };
  for (const access of ['read', 'create'] as const) {
    it(`(${access}) says the folder must be writable, naming it`, () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-ro-'));
      try {
        const file = path.join(dir, 'meter.db');
        writeFileSync(file, '');
        expect(() => openStore(cannotOpen, file, access)).toThrow(DatabaseOpenError);
        expect(() => openStore(cannotOpen, file, access)).toThrow(`cannot open the database ${file} (unable to open database file): SQLite writes its -wal and -shm files beside the database, even to read it, so the folder ${dir} must be writable by this user (check its permissions, or copy the database to a folder you can write)`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
