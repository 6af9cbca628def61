import { type Env, type LoadedConfig, resolveDb } from '../config/load.js';
import { isPostgresUrl } from '../lib/db-location.js';
import { ConfigError } from '../lib/errors.js';
import { DatabaseNotFoundError, checkDatabasePath } from '../store/open.js';

/**
 * `config check`'s check of the config's SQLite `db`: serve's own (store/open.ts
 * checkDatabasePath, as serve opens its database to create it), so a `db` in a folder that
 * does not exist, or one that is a folder, fails here with the words serve would stop on,
 * placed at the file and line of `db` (LoadedConfig.problemAt). Only when serve would open
 * that `db`: not a PostgreSQL URL (no file), not when $TOKOMETER_DB names another database,
 * not the default ./tokometer.db (its folder is the working directory). Creates nothing.
 * @throws ConfigError (exit 2).
 */
export function checkConfigDb(loaded: Pick<LoadedConfig, 'config' | 'problemAt'>, env: Env, cwd: string): void {
  const problem = configDbProblem(loaded.config, env, cwd);
  if (problem !== null) throw new ConfigError(loaded.problemAt(['db'], problem));
}

/** checkConfigDb's problem with `db` (serve's words), null when there is none; for a report of every problem. */
export function configDbProblem(config: LoadedConfig['config'], env: Env, cwd: string): string | null {
  const db = resolveDb({ env, config, cwd });
  if (db.namedBy !== null || config.db === undefined || isPostgresUrl(db.path)) return null;
  try {
    checkDatabasePath(db.path, 'create');
    return null;
  } catch (error) {
    if (error instanceof DatabaseNotFoundError) return error.message;
    throw error;
  }
}
