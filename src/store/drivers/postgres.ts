import postgres from 'postgres';
import { describeDbLocation } from '../../lib/db-location.js';
import type { Db, DbRunResult } from '../db.js';
import type { SqlValue } from '../types.js';
import { numberPlaceholders } from './pg-placeholders.js';

/**
 * The Db seam on PostgreSQL, over the `postgres` package (porsager), which runs on Node
 * and on Bun alike, so nothing here looks at the runtime.
 *
 * One pool per process (each `openPostgresDb` is a pool: open one and share it). Numbers:
 * PostgreSQL sends int8 (COUNT, bigint columns) and numeric (SUM of bigint) as text; they
 * come back as JS numbers here, like SQLite's integers do. Exact up to 2^53: money is
 * integer nano-USD, so a sum is exact up to about 9.0 million USD, the same bound as on
 * SQLite (better-sqlite3 and bun:sqlite return plain numbers too).
 */

/** A Db on PostgreSQL, with what PostgreSQL-only store modules need besides the seam. */
export interface PostgresDb extends Db {
  readonly dialect: 'postgres';
  /** The pooled client, for PostgreSQL-only store modules (array parameters, LISTEN/NOTIFY). */
  readonly sql: postgres.Sql;
  /** Where it connects, never with the password: `postgres://user@host:5432/db`. */
  readonly location: string;
}

/** How the pool is set up. Settings in the URL's query (`?max=4`, `?statement_timeout=60000`) win. */
export interface PostgresDbOptions {
  /** Largest number of pooled connections (default 8: a replica's writer, readers and admin). */
  max?: number;
  /** Milliseconds a statement may run before PostgreSQL cancels it (default 30 000). */
  statementTimeoutMs?: number;
  /** Seconds to wait for a connection (default 10). */
  connectTimeoutS?: number;
  /** Shown in pg_stat_activity (default `tokometer`). */
  applicationName?: string;
  /** Every transaction read-only (default_transaction_read_only): commands that only read. */
  readOnly?: boolean;
}

const DEFAULT_MAX = 8;
const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
const DEFAULT_CONNECT_TIMEOUT_S = 10;
/** Translated SQL texts kept (oldest dropped first). */
const TEXT_CACHE = 512;

/**
 * A statement failed on PostgreSQL or the server could not be reached. The message names
 * the server (never the password); `code` is the SQLSTATE (`23505`, `08006`, …) or the
 * client's connection code (`ECONNREFUSED`, `CONNECT_TIMEOUT`, `CONNECTION_CLOSED`, …).
 */
export class PostgresDbError extends Error {
  readonly code: string | undefined;
  constructor(location: string, cause: unknown) {
    const code = (cause as { code?: unknown } | null)?.code;
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`PostgreSQL at ${location}: ${detail}`, { cause });
    this.name = 'PostgresDbError';
    this.code = typeof code === 'string' ? code : undefined;
  }
}

/** SQLSTATE classes and client codes that mean "try again later": the server is away, busy or restarting. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down)
  '53300', // too_many_connections
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57014', // query_canceled (statement timeout)
]);

/** True when the error says PostgreSQL is unreachable, restarting or busy, so the same statement may pass later. */
export function isPostgresUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return UNAVAILABLE_CODES.has(code) || code.startsWith('08');
}

/**
 * Seconds a pool connection waits before it connects again after `retries` failed
 * connects (the client's `backoff` option; `retries` is shared by the pool and starts
 * again at 0 on the first connect that works). The client's own rule grows as
 * 3^retries / 100 s up to 20 s, so after a 10 s outage the pool waited another 8–20 s
 * before trying the server that was back, and every write and read waited with it
 * (serve's writer retries at least once a second). This one doubles from 50 ms up to
 * 1 s, times 0.5–1 at random so replicas do not reconnect in step: while the server is
 * down, each of the pool's connections (DEFAULT_MAX by default) tries at most about twice
 * a second.
 */
export function reconnectDelayS(retries: number, random: () => number = Math.random): number {
  return (0.5 + random() / 2) * Math.min(0.05 * 2 ** retries, 1);
}

/**
 * Opens a pool on a `postgres://` or `postgresql://` URL. Credentials come from the URL
 * or the PG* environment variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE);
 * TLS when the URL asks (`?sslmode=require`, `verify-full`, …). Connects lazily: the
 * first statement reports an unreachable server as a PostgresDbError.
 */
export function openPostgresDb(url: string, options: PostgresDbOptions = {}): PostgresDb {
  const query = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
  const location = describeDbLocation(url);
  const sql = postgres(url, {
    // Parsed here: the client keeps `?max=` from a URL as a string and then opens one connection.
    max: poolSize(query.get('max'), options.max),
    ...(query.has('connect_timeout') ? {} : { connect_timeout: options.connectTimeoutS ?? DEFAULT_CONNECT_TIMEOUT_S }),
    idle_timeout: 60,
    backoff: (retries: number) => reconnectDelayS(retries),
    // No array types are read or bound (rows travel as JSON, pg/json-rows.ts), and the
    // client's fetch of them after each connect is a promise nothing awaits: a connection
    // cut during it (a failover, a terminated backend) was an unhandled rejection, which
    // ends a Node process.
    fetch_types: false,
    onnotice: () => {},
    types: {
      // int8 and numeric as numbers (see the module comment for the 2^53 bound).
      bigint: { to: 20, from: [20, 1700], serialize: (x: number | bigint) => String(x), parse: (x: string) => Number(x) },
      // JSON stays text both ways, as on SQLite: a string bound to a json parameter is sent
      // as written (the client would encode it again), and json results are not parsed.
      json: { to: 114, from: [114, 3802], serialize: (x: unknown) => (typeof x === 'string' ? x : JSON.stringify(x)), parse: (x: string) => x },
    },
    connection: {
      application_name: options.applicationName ?? 'tokometer',
      statement_timeout: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
      idle_in_transaction_session_timeout: 60_000,
      ...(options.readOnly ? { default_transaction_read_only: true } : {}),
    },
  });
  return wrap(sql, sql, location);
}

function poolSize(fromUrl: string | null, given: number | undefined): number {
  if (fromUrl === null) return given ?? DEFAULT_MAX;
  const n = Number(fromUrl);
  if (!Number.isInteger(n) || n < 1) throw new Error(`the PostgreSQL URL's max=${fromUrl} is not a pool size (a whole number of connections, at least 1)`);
  return n;
}

const texts = new Map<string, string>();

/** The SQL with `$n` placeholders, checked against the parameter count. */
function translate(sql: string, params: readonly SqlValue[]): string {
  let text = texts.get(sql);
  if (text === undefined) {
    const numbered = numberPlaceholders(sql);
    text = numbered.text;
    if (numbered.count !== params.length) {
      throw new Error(`SQL has ${numbered.count} placeholders but ${params.length} parameters were given: ${sql.slice(0, 200)}`);
    }
    if (texts.size >= TEXT_CACHE) texts.delete(texts.keys().next().value as string);
    texts.set(sql, text);
  }
  return text;
}

type Runner = postgres.Sql | postgres.TransactionSql;

function wrap(pool: postgres.Sql, on: Runner, location: string): PostgresDb {
  const exec = async (sql: string, params: readonly SqlValue[] = []) => {
    const text = translate(sql, params);
    try {
      return await on.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: params.length > 0 });
    } catch (err) {
      throw new PostgresDbError(location, err);
    }
  };
  const inTransaction = on !== pool;
  const db: PostgresDb = {
    dialect: 'postgres',
    sql: pool,
    location,
    async all<T>(sql: string, params?: readonly SqlValue[]) {
      return [...(await exec(sql, params))] as T[];
    },
    async get<T>(sql: string, params?: readonly SqlValue[]) {
      return (await exec(sql, params))[0] as T | undefined;
    },
    async run(sql: string, params?: readonly SqlValue[]): Promise<DbRunResult> {
      return { changes: (await exec(sql, params)).count ?? 0 };
    },
    runNoWait(sql: string, params?: readonly SqlValue[]): Promise<DbRunResult> {
      return db.run(sql, params);
    },
    async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      if (inTransaction) return fn(db);
      try {
        return await beginTransaction(pool, (tx) => fn(wrap(pool, tx, location)));
      } catch (err) {
        throw err instanceof PostgresDbError || !isConnectionError(err) ? err : new PostgresDbError(location, err);
      }
    },
    snapshot: (fn) => fn(db),
    async close() {
      if (inTransaction) throw new Error('close() inside a transaction');
      await pool.end({ timeout: 5 });
    },
  };
  return db;
}

/**
 * `pool.begin(fn)`, minus a crash of postgres.js 3.4.9 (porsager/postgres #1066, #1154,
 * #1208, no fix released): when the connection closes while a statement of the
 * transaction is in flight, the library rejects that statement with CONNECTION_CLOSED,
 * then sends ROLLBACK on the closed connection; that write is scheduled with setImmediate
 * and throws on the null socket outside any promise, which ends the process (seen in
 * test/faults/pg-outage.slow.test.ts: serve died when PostgreSQL stopped). So when `fn`
 * fails with CONNECTION_CLOSED its promise is left pending instead: no ROLLBACK is sent
 * (the server rolls back a transaction whose connection is gone), and begin has already
 * rejected with CONNECTION_CLOSED (the library raises that code only while closing the
 * connection, after which it rejects the transaction itself).
 */
export function beginTransaction<T>(pool: postgres.Sql, fn: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  return pool.begin((tx) => fn(tx).catch((err: unknown) => (closedUnderIt(err) ? new Promise<never>(() => {}) : Promise.reject(err)))) as Promise<T>;
}

function closedUnderIt(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code ?? ((err as { cause?: { code?: unknown } } | null)?.cause?.code);
  return code === 'CONNECTION_CLOSED';
}

/** An error of the client itself (BEGIN could not run), not one thrown by the transaction's own code. */
function isConnectionError(err: unknown): boolean {
  return isPostgresUnavailable(err) || (err as { name?: unknown } | null)?.name === 'PostgresError';
}
