import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * One `serve` per SQLite database: a serve holds the budgets' spend in memory, so two on one
 * file would each let a budget through in full (a trial: 202 % spent). Serve writes the
 * marker `<db>.serve` (JSON: pid, host name, port once known) before it opens the database
 * and removes it when it stops; a second serve finding a live one refuses to start. A marker
 * left by a serve killed with kill -9 is stale when its pid no longer runs on this host
 * (process.kill(pid, 0)) and is taken over. Other commands never look at it: they open the
 * database as before. Replicas share PostgreSQL, which keeps budgets in the database.
 */

interface Marker {
  pid: number;
  host: string;
  port: number | null;
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
    return typeof m.pid === 'number' && typeof m.host === 'string' ? { pid: m.pid, host: m.host, port: typeof m.port === 'number' ? m.port : null } : null;
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

/** Takes the marker of `dbPath`. @throws ServeLockError when another live serve holds it. */
export function lockServeDatabase(dbPath: string): ServeLock {
  const file = `${dbPath}.serve`;
  const me: Marker = { pid: process.pid, host: hostname(), port: null };
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
