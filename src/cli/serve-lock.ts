import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * One `serve` per SQLite database: a serve holds the budgets' spend in memory, so two on one
 * file would each let a budget through in full (a trial: 202 % spent). Serve writes the
 * marker `<db>.serve` (JSON: pid, host name, port once known) before it opens the database
 * and removes it when it stops; a second serve finding a live one refuses to start. A marker
 * left by a serve killed with kill -9 is stale when its pid no longer runs on this host
 * (process.kill(pid, 0)) and is taken over. Replicas share PostgreSQL, which keeps budgets
 * in the database.
 *
 * The marker also says which config serve enforces: the fingerprint of its `keys:` and
 * `budgets:` (config/drift.ts declaredFingerprint) and when it started. `keys list` and `tui`
 * read it (cli/serve-config-record.ts) to tell an edited config from the one serve enforces:
 * the marker exists exactly while that serve runs, so nothing stale is claimed.
 */

interface Marker {
  pid: number;
  host: string;
  port: number | null;
  /** sha256 hex of the config's keys and budgets serve started with; absent in a marker of an older serve. */
  config_sha256?: string;
  /** ms since the epoch serve started. */
  started_at?: number;
}

/** What a live serve's marker says of the config it enforces. */
export interface RunningServe {
  pid: number;
  configSha256: string;
  startedAt: number;
}

/** Serve refused: another live serve uses the file (exit 2). */
export class ServeLockError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'ServeLockError';
  }
}

/** The marker of `dbPath`'s serve, held by this process until release(). */
export interface ServeLock {
  /** Records the port serve listens on, for the message of a second serve. */
  setPort(port: number): void;
  /** Removes the marker (only if still this process's). */
  release(): void;
}

function read(file: string): Marker | null {
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as Partial<Marker>;
    if (typeof m.pid !== 'number' || typeof m.host !== 'string') return null;
    const config = typeof m.config_sha256 === 'string' && typeof m.started_at === 'number' ? { config_sha256: m.config_sha256, started_at: m.started_at } : {};
    return { pid: m.pid, host: m.host, port: typeof m.port === 'number' ? m.port : null, ...config };
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The serve running on SQLite file `dbPath` with the config it enforces, or null when none
 * runs (no marker, or its pid gone from this host) or its marker says nothing of its config.
 */
export function runningServeOn(dbPath: string): RunningServe | null {
  const m = read(`${dbPath}.serve`);
  if (m === null || m.config_sha256 === undefined || m.started_at === undefined) return null;
  if (m.host === hostname() && !alive(m.pid)) return null;
  return { pid: m.pid, configSha256: m.config_sha256, startedAt: m.started_at };
}

/** Takes the marker of `dbPath`, saying serve enforces `config`. @throws ServeLockError when another live serve holds it. */
export function lockServeDatabase(dbPath: string, config?: { sha256: string; startedAt: number }): ServeLock {
  const file = `${dbPath}.serve`;
  const me: Marker = { pid: process.pid, host: hostname(), port: null, ...(config === undefined ? {} : { config_sha256: config.sha256, started_at: config.startedAt }) };
  let taken = false;
  for (let attempt = 0; attempt < 2 && !taken; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(me), { flag: 'wx' });
      taken = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return { setPort() {}, release() {} }; // a folder serve cannot write: opening the database says so
      const other = read(file);
      const sameHost = other === null || other.host === me.host;
      if (other !== null && (!sameHost || alive(other.pid))) {
        const where = `pid ${other.pid}${other.port === null ? '' : `, port ${other.port}`}${sameHost ? '' : `, on host ${other.host}`}`;
        throw new ServeLockError(
          `another tokometer serve (${where}) is using ${dbPath}: two serves on one SQLite file each keep the budgets in memory, so every budget would let through twice its limit. Stop that serve first, or use PostgreSQL (store: / db: postgres://… in the config) for replicas. (If no serve runs there, remove ${file}.)`,
        );
      }
      try {
        unlinkSync(file); // stale: its serve is gone
      } catch {
        // another serve took it over meanwhile: the next attempt finds it
      }
    }
  }
  if (!taken) throw new ServeLockError(`another tokometer serve started on ${dbPath} at the same moment: start one serve per SQLite file, or use PostgreSQL (store: / db: postgres://… in the config) for replicas`);
  return {
    setPort(port) {
      me.port = port;
      if (read(file)?.pid === me.pid) writeFileSync(file, JSON.stringify(me));
    },
    release() {
      try {
        if (read(file)?.pid === me.pid) unlinkSync(file);
      } catch {
        // already gone
      }
    },
  };
}
