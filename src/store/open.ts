import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { isPostgresUrl, type DbNamedBy } from '../lib/db-location.js';
import { LATEST_VERSION, MIGRATIONS, SchemaVersionError, migrate, schemaVersion } from './migrations/index.js';
import { createStore } from './sqlite-store.js';
import type { OpenDriver, SqlDriver } from './types.js';
import type { Store } from './facade.js';

/**
 * Opening a database file for a command. Commands that only read (report, audit, tui,
 * prices unpriced) open it read-only and never create anything: a missing file or folder
 * is a DatabaseNotFoundError (exit 2) naming the path, and no `.db`, `-wal` or `-shm`
 * file appears. Commands that write (serve, key changes, demo) create the file when it
 * is missing (mode 0600, see drivers/setup.ts), but never a missing folder. Commands that
 * change what is stored but have nothing to do on an empty database (prices reprice)
 * open it to write only when it exists.
 */

/**
 * `read`: must exist, opened read-only. `write`: must exist, opened read-write (migrated).
 * `create`: opened read-write, created when missing.
 */
export type StoreAccess = 'read' | 'write' | 'create';

/** The database (or its folder) is not there. Exit code 2: the path given is wrong. */
export class DatabaseNotFoundError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseNotFoundError';
  }
}

/**
 * The file is a SQLite database of something else (tables, no tokometer schema): no
 * command adds tokometer's tables to it. Exit code 2: the path given is wrong.
 */
export class NotTokometerDatabaseError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'NotTokometerDatabaseError';
  }
}

/** Names SQLite treats as something other than a file path (in-memory, URIs). */
const isSpecialName = (path: string) => path === '' || path === ':memory:' || path.startsWith('file:');

/**
 * What a "no database at …" message tells the user to do, by what named the path
 * (lib/db-location.ts DbNamedBy), as ` (…)`; nothing for --db: the user passed it already,
 * and the message says what is wrong with the file it names instead.
 */
function whereToPoint(namedBy: DbNamedBy): string {
  if (namedBy === '--db') return '';
  return namedBy === '$TOKOMETER_DB' ? ' (from $TOKOMETER_DB: set it to the path `tokometer serve` writes to, or pass --db)' : ' (pass --db with the path `tokometer serve` writes to)';
}

/**
 * Throws DatabaseNotFoundError unless `path` can be opened with `access`. `namedBy`: what
 * chose the path (null: the config's `db`, the default, or unknown), which decides what the
 * message of a missing database tells the user to do (whereToPoint).
 */
export function checkDatabasePath(path: string, access: StoreAccess, namedBy: DbNamedBy = null): void {
  if (isSpecialName(path)) return;
  const folder = dirname(path);
  const folderMissing = !existsSync(folder) || !statSync(folder).isDirectory();
  if (access === 'create') {
    if (folderMissing) throw new DatabaseNotFoundError(`cannot create the database ${path}: the folder ${folder} does not exist`);
    if (existsSync(path) && statSync(path).isDirectory()) throw new DatabaseNotFoundError(`${path} is a folder, not a database file (pass --db with a file path)`);
    return;
  }
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) throw new DatabaseNotFoundError(`${path} is a folder, not a database file (pass --db with the path of the file \`tokometer serve\` writes to)`);
    return;
  }
  const why = folderMissing ? `: the folder ${folder} does not exist` : namedBy === '--db' ? ': the file given to --db does not exist' : '';
  throw new DatabaseNotFoundError(`no database at ${path}${why}${whereToPoint(namedBy)}`);
}

/**
 * A read-write driver on `path`, created when missing (serve and demo hand it to the
 * proxy, which builds its store on it). Throws DatabaseNotFoundError when the folder is missing.
 */
export function openDriverToWrite(open: OpenDriver, path: string): SqlDriver {
  checkDatabasePath(path, 'create');
  const driver = openNamed(open, path);
  try {
    if (!isSpecialName(path)) refuseForeign(driver, path, versionNamed(driver, path));
  } catch (error) {
    driver.close();
    throw error;
  }
  return driver;
}

/**
 * SQLite's own errors on opening ("file is not a database", "disk I/O error") name neither
 * the file nor what to do; the path can come from --db, TOKOMETER_DB or the config.
 * "unable to open database file" (SQLITE_CANTOPEN) is most often a folder this user cannot
 * write: the message names it.
 */
export class DatabaseOpenError extends Error {
  readonly exitCode = 2;
  constructor(path: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const hint = /not a database/i.test(reason)
      ? ': it is not a SQLite database (pass --db with the path `tokometer serve` writes to)'
      : /unable to open database file/i.test(reason)
        ? `: SQLite writes its -wal and -shm files beside the database, even to read it, so the folder ${dirname(path)} must be writable by this user (check its permissions, or copy the database to a folder you can write)`
        : '';
    super(`cannot open the database ${path} (${reason})${hint}`);
    this.name = 'DatabaseOpenError';
  }
}

function openNamed(open: OpenDriver, path: string, options?: { readonly?: boolean }): SqlDriver {
  try {
    return open(path, options);
  } catch (error) {
    throw new DatabaseOpenError(path, error);
  }
}

/** The schema version, the first read of a file: where a file that is not SQLite fails. */
function versionNamed(driver: SqlDriver, path: string): number {
  try {
    return schemaVersion(driver);
  } catch (error) {
    throw new DatabaseOpenError(path, error);
  }
}

/** Up to this many of a foreign database's tables are named in the error. */
const TABLES_NAMED = 3;

/**
 * Throws NotTokometerDatabaseError when `driver` (at schema `version`) holds tables but no
 * tokometer schema (user_version 0): another application's database, which migrating
 * would fill with tokometer's tables. An empty database passes.
 */
function refuseForeign(driver: SqlDriver, path: string, version: number): void {
  if (version !== 0) return;
  const tables = driver.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all<{ name: string }>();
  if (tables.length === 0) return;
  const named = tables.slice(0, TABLES_NAMED).map((t) => t.name).join(', ') + (tables.length > TABLES_NAMED ? `, … (${tables.length} tables)` : '');
  throw new NotTokometerDatabaseError(`${path} is not a tokometer database: it holds other tables (${named}) and no tokometer schema, and tokometer does not add its tables to another application's database (pass --db with the path \`tokometer serve\` writes to, or a new file)`);
}

/**
 * What to tell the user before opening `path` migrates it from an older schema (a file
 * written by an older tokometer), or null: no such file, a new or current one, or not
 * readable as a database (opening it then gives the real error). Some upgrades rewrite a
 * large table (v9: about 12 s per million calls), and the command is silent meanwhile.
 */
export function upgradeNotice(open: OpenDriver, path: string): string | null {
  if (isSpecialName(path) || !existsSync(path)) return null;
  let version: number;
  try {
    const probe = open(path, { readonly: true });
    try {
      version = schemaVersion(probe);
    } finally {
      probe.close();
    }
  } catch {
    return null;
  }
  if (version === 0 || version >= LATEST_VERSION) return null;
  return `upgrading ${path} from schema v${version} to v${LATEST_VERSION} (once; on a large database this can take minutes)…`;
}

/** upgradeNotice for a command's `location`: null for a `postgres://` URL (its schema is migrated under a lock, pg/pg-store.ts). */
export async function upgradeNoticeAt(location: string, driver: () => Promise<OpenDriver>): Promise<string | null> {
  return isPostgresUrl(location) ? null : upgradeNotice(await driver(), location);
}

/**
 * A read-only driver on an existing database whose schema is current. An older schema
 * is migrated first through a short read-write connection (the file exists, so nothing
 * is created); when that is not allowed, the error says what to do. `namedBy`: what chose
 * the path, for the message of a missing or empty database (checkDatabasePath's).
 */
export function openDriverToRead(open: OpenDriver, path: string, namedBy: DbNamedBy = null): SqlDriver {
  checkDatabasePath(path, 'read', namedBy);
  if (isSpecialName(path)) return open(path);
  const probe = openNamed(open, path, { readonly: true });
  let version: number;
  try {
    version = versionNamed(probe, path);
    refuseForeign(probe, path, version);
  } finally {
    probe.close();
  }
  // An empty file (0 bytes, or a database with no tables) has nothing to read: a command
  // that only reads creates nothing in it.
  if (version === 0) {
    throw new DatabaseNotFoundError(`no tokometer data in ${path}: ${namedBy === '--db' ? 'the file given to --db is empty (no calls recorded in it)' : `the database is empty${whereToPoint(namedBy)}`}`);
  }
  if (version < LATEST_VERSION) upgrade(open, path, version);
  return open(path, { readonly: true });
}

function upgrade(open: OpenDriver, path: string, version: number): void {
  let driver: SqlDriver | undefined;
  try {
    driver = open(path);
    migrate(driver, MIGRATIONS);
  } catch (error) {
    if (error instanceof SchemaVersionError) throw error;
    throw new SchemaVersionError(
      `${path} has schema v${version} and this tokometer needs v${LATEST_VERSION}, but it cannot be upgraded here ` +
        `(${(error as Error).message}); run \`tokometer serve\` on it once with write access`,
    );
  } finally {
    driver?.close();
  }
}

/**
 * Opens the store of a command: read-only (`read`), or read-write and created when
 * missing (`create`); see the module comment. The store owns its connection. `namedBy`:
 * what chose the path, for the message of a missing or empty database.
 */
export function openStore(open: OpenDriver, path: string, access: StoreAccess, namedBy: DbNamedBy = null): Store {
  if (access === 'write') checkDatabasePath(path, 'read', namedBy);
  const driver = access === 'read' ? openDriverToRead(open, path, namedBy) : openDriverToWrite(open, path);
  try {
    return createStore(driver, { readonly: access === 'read' && !isSpecialName(path) });
  } catch (error) {
    driver.close();
    throw error;
  }
}

/**
 * Opens the store of a command at `location`: a `postgres://` URL (pg/pg-store.ts, the
 * same access modes: `read` never changes the schema), or a SQLite file through the
 * runtime's driver. Each is loaded only when used, so a SQLite user never evaluates the
 * PostgreSQL client. `namedBy` (what gave the URL or path) goes into the messages of a
 * missing or empty database.
 */
export async function openStoreAt(location: string, access: StoreAccess, driver: () => Promise<OpenDriver>, namedBy: DbNamedBy = null): Promise<Store> {
  if (isPostgresUrl(location)) return (await import('./pg/pg-store.js')).openPostgresStore(location, access, { namedBy });
  return openStore(await driver(), location, access, namedBy);
}
