/** A running PostgreSQL server (see pg-server.mjs). */
export interface PgServer {
  /** Superuser URL of the `postgres` database, e.g. `postgres://postgres:…@127.0.0.1:PORT/postgres`. */
  readonly url: string;
  readonly port: number;
  /** The postmaster's process id while the server runs (its data folder's postmaster.pid). */
  pid(): number | undefined;
  /** Stops the server (data kept until `remove`). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  remove(): Promise<void>;
}

export interface PgServerOptions {
  /** Keep PostgreSQL's durability (fsync, synchronous commit): benchmarks. Default false. */
  durable?: boolean;
  /** Receives the server's log output. */
  log?: (line: string) => void;
  /** Extra server flags, e.g. ['-c', 'log_min_duration_statement=0']. */
  flags?: string[];
}

export function freePort(): Promise<number>;
export function startPgServer(options?: PgServerOptions): Promise<PgServer>;
