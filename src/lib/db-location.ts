/**
 * Where a store lives: a SQLite file path (the default) or a PostgreSQL URL. Shared by the
 * config loader (which resolves file paths but leaves URLs alone), the commands and the
 * store, so every place agrees on what counts as PostgreSQL.
 */

/**
 * What named a command's database, for messages about it: the `--db` flag, the
 * `$TOKOMETER_DB` variable, or neither (the config's `db`, or the default ./tokometer.db).
 */
export type DbNamedBy = '--db' | '$TOKOMETER_DB' | null;

/** A command's database (a SQLite path or a `postgres://` URL) and what named it. */
export interface DbLocation {
  path: string;
  namedBy: DbNamedBy;
}

/** True for `postgres://…` and `postgresql://…` (any letter case of the scheme). */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * The location for messages and logs, never with a password: a PostgreSQL URL becomes
 * `postgres://user@host:port/database` (query dropped; host, port, user and database
 * from the PG* environment when the URL leaves them out); a file path is returned as is.
 */
export function describeDbLocation(location: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (!isPostgresUrl(location)) return location;
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return 'postgres://(unparsable URL)';
  }
  const user = decodeURIComponent(url.username) || env.PGUSER || env.PGUSERNAME || '';
  const host = url.hostname || env.PGHOST || 'localhost';
  const port = url.port || env.PGPORT || '5432';
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || env.PGDATABASE || user;
  return `postgres://${user === '' ? '' : `${user}@`}${host}:${port}/${database}`;
}
