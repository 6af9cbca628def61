import { closeSync, existsSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import type { Edges } from '../edges.js';
import { UsageError } from '../lib/errors.js';
import { openStoreAt } from '../store/open.js';
import { FEATURES } from './workload.js';

/**
 * Keeps the demo away from real data. The demo writes only into a database of its own:
 * a new file, an empty one, or a database a previous `tokometer demo` wrote and nobody
 * has written real calls into since, which it deletes and writes again from scratch (so
 * rerunning with the same seed gives the same month). Anything else is refused.
 *
 * A demo database is marked in the SQLite header (PRAGMA application_id) and holds only
 * the demo's keys and calls made with them.
 */

/** PRAGMA application_id of a database written by `tokometer demo` ('tkmd'). */
export const DEMO_APPLICATION_ID = 0x746b6d64;

/** What was found at the path: nothing (or an empty file), or a previous demo database that was deleted. */
export type DemoDbState = 'new' | 'replaced';

/**
 * Makes `dbPath` ready for the demo, or throws UsageError (exit 2) saying why not.
 * `userDbPath` is the database tokometer uses by default here ($TOKOMETER_DB, the
 * config's db, ./tokometer.db); the demo never creates its data there. `shown` is the
 * path as the user should read it. `openDriver` is the edges' getter of this runtime's
 * SQLite driver, handed on to the store's opener.
 */
export async function prepareDemoDb(openDriver: Edges['openDriver'], dbPath: string, userDbPath: string, shown: string): Promise<DemoDbState> {
  const exists = existsSync(dbPath) && statSync(dbPath).size > 0;
  if (exists) {
    if (!(await isDemoDb(openDriver, dbPath, shown))) {
      throw new UsageError(`${shown} holds data that tokometer demo did not write; the demo writes only into a database of its own. Choose another --db path (default ./tokometer-demo.db).`);
    }
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(dbPath + suffix, { force: true });
    return 'replaced';
  }
  if (dbPath === userDbPath) {
    throw new UsageError(`${shown} is where tokometer keeps your real calls ($TOKOMETER_DB, the config's db or ./tokometer.db); the demo writes only into a database of its own. Choose another --db path (default ./tokometer-demo.db).`);
  }
  return 'new';
}

/**
 * The same guard for a PostgreSQL database (`--db postgres://…`): one without tokometer's
 * tables is new; a previous demo's (its application id, only the demo's keys and calls)
 * has tokometer's tables dropped to start again; anything else is refused.
 */
export async function preparePostgresDemoDb(url: string, userDbPath: string, shown: string): Promise<DemoDbState> {
  if (url === userDbPath) {
    throw new UsageError(`${shown} is where tokometer keeps your real calls ($TOKOMETER_DB or the config's db); the demo writes only into a database of its own. Choose another --db.`);
  }
  const { openPostgresStore, PostgresNotInitialisedError } = await import('../store/pg/pg-store.js');
  let store;
  try {
    store = await openPostgresStore(url, 'read');
  } catch (error) {
    if (error instanceof PostgresNotInitialisedError) return 'new';
    throw new UsageError(`cannot read ${shown} to check whether a previous demo wrote it: ${(error as Error).message}`);
  }
  let demo: boolean;
  try {
    demo = (await store.meta.applicationId()) === DEMO_APPLICATION_ID && Object.values(await store.meta.countOutside(FEATURES)).every((n) => n === 0);
  } finally {
    await store.close();
  }
  if (!demo) throw new UsageError(`${shown} holds tokometer data that tokometer demo did not write; the demo writes only into a database of its own. Choose another --db.`);
  await (await import('../store/pg/reset.js')).dropTokometerSchemaAt(url);
  return 'replaced';
}

/** True when the file is a demo database holding only the demo's keys and their calls. */
async function isDemoDb(openDriver: Edges['openDriver'], dbPath: string, shown: string): Promise<boolean> {
  if (!hasSqliteHeader(dbPath)) return false;
  let store;
  try {
    store = await openStoreAt(dbPath, 'read', openDriver);
  } catch (error) {
    throw new UsageError(`cannot read ${shown} to check whether a previous demo wrote it: ${(error as Error).message}`);
  }
  try {
    if ((await store.meta.applicationId()) !== DEMO_APPLICATION_ID) return false;
    const foreign = await store.meta.countOutside(FEATURES);
    return foreign.keys === 0 && foreign.calls === 0;
  } catch {
    return false;
  } finally {
    await store.close();
  }
}

/** True when the file starts with SQLite's 16-byte magic string. */
function hasSqliteHeader(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(16);
    return readSync(fd, head, 0, 16, 0) === 16 && head.toString('latin1') === 'SQLite format 3\u0000';
  } finally {
    closeSync(fd);
  }
}
