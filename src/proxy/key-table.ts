import type { Clock } from '../lib/clock.js';
import type { KeyDeclaration } from '../keys/effective.js';
import type { Store } from '../store/facade.js';
import { KEY_WATCH_MS, KeyResolver, syncConfigKeys, type KeyChangeFeed } from './auth.js';
import type { Logger } from './log.js';

/** Least ms between two log lines about failing key reloads. */
const KEY_ERROR_LOG_MS = 60_000;

/** What the key table is opened from (startProxy's options and store). */
export interface KeyTableOptions {
  store: Store;
  /** The config's key declarations (`keys:`). */
  declared: Readonly<Record<string, KeyDeclaration>>;
  env: Readonly<Record<string, string | undefined>>;
  clock: Clock;
  log: Logger;
  /** A PostgreSQL store announces key changes (NOTIFY); undefined on SQLite. */
  postgres?: { listenChanges: KeyChangeFeed };
}

/**
 * The proxy's metering keys: the declared keys with `secret_env` stored first (each problem,
 * and the declared keys missing from the database or revoked there, logged as warnings), the
 * table loaded, and kept current: polled every KEY_WATCH_MS, and on PostgreSQL reloaded at
 * once on each announced change (the polling stays as the fallback). Its close is added to
 * `started`.
 */
export async function openKeyTable(o: KeyTableOptions, started: Array<() => Promise<void>>): Promise<KeyResolver> {
  for (const warning of await syncConfigKeys(o.store, o.declared, o.env, o.clock())) o.log.warn(warning);
  // The watch polls every 250 ms: while the database is away, say so once a minute, not four times a second.
  let errorLoggedAt = -Infinity;
  const keys = new KeyResolver(o.store, o.declared, (error) => {
    const now = performance.now();
    if (now - errorLoggedAt < KEY_ERROR_LOG_MS) return;
    errorLoggedAt = now;
    o.log.error('could not reload the metering keys (the table in memory stays in force)', { error: error instanceof Error ? error.message : String(error) });
  });
  started.push(() => keys.close());
  await keys.reload();
  const postgres = o.postgres;
  await keys.watch(KEY_WATCH_MS, postgres === undefined ? undefined : (onChange, onReconnect) => postgres.listenChanges(onChange, onReconnect));
  return keys;
}
