import { isPostgresUrl } from '../lib/db-location.js';
import { openDriverToWrite } from './open.js';
import type { PostgresStore } from './pg/pg-store.js';
import type { OpenDriver, SqlDriver } from './types.js';

/**
 * What a proxy keeps its data in, as `serve` and the demo open it and `startProxy` takes
 * it: a read-write SQLite connection (the proxy builds its store on it, and its
 * main-thread record writer when there is no writer thread), or an opened PostgreSQL
 * store (whose pool the PostgreSQL record writer shares). Commands hand it on without
 * looking inside; once `startProxy` has it, the proxy owns it and `stop` closes it.
 */
export type ProxyStorage = { readonly engine: 'sqlite'; readonly driver: SqlDriver } | { readonly engine: 'postgres'; readonly store: PostgresStore };

/**
 * Opens the storage at `location`: a `postgres://` URL (migrated under the advisory lock,
 * see pg/pg-store.ts), or a SQLite file opened read-write with the runtime's driver
 * (`openDriver`, the edges' getter) and created when missing; a missing folder is a
 * DatabaseNotFoundError (exit 2). PostgreSQL's client is loaded only when used.
 */
export async function openProxyStorage(location: string, openDriver: () => Promise<OpenDriver>): Promise<ProxyStorage> {
  if (isPostgresUrl(location)) return { engine: 'postgres', store: await (await import('./pg/pg-store.js')).openPostgresStore(location, 'create') };
  return { engine: 'sqlite', driver: openDriverToWrite(await openDriver(), location) };
}

/** Closes storage that never reached a running proxy (a start that failed). */
export async function closeProxyStorage(storage: ProxyStorage): Promise<void> {
  if (storage.engine === 'postgres') await storage.store.close();
  else storage.driver.close();
}
