import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints on a worker thread, off the event loop.
 *
 * In WAL mode every commit appends pages to the -wal file; a checkpoint copies them back
 * into the database file and fsyncs it. SQLite's automatic checkpoint runs inside the
 * COMMIT that crosses the threshold (1000 pages), so one write-queue flush in twenty or
 * so stalled the proxy for the copy and the fsync (about 12 ms on the benchmark VM) —
 * that was most of the p99 latency the proxy added. Here a worker thread with its own
 * connection runs `PRAGMA wal_checkpoint(PASSIVE)` every `intervalMs`: PASSIVE never
 * waits for (or blocks) the writer or readers, and once it has caught up the writer
 * rewinds the WAL on its next transaction, so the file stays small. The writer's own
 * threshold is raised to SAFETY_NET_PAGES, which only matters when the worker falls
 * behind or dies.
 *
 * Works the same on Node (better-sqlite3, by its resolved path) and in the Bun binary
 * (bun:sqlite): the worker's code is a string, so the binary needs no extra entry point.
 */

/** How the worker opens the database: the runtime's SQLite binding. */
export type WorkerDriver = { kind: 'bun:sqlite' } | { kind: 'better-sqlite3'; module: string };

/** The writer connection's wal_autocheckpoint (pages) while a checkpointer runs: about 40 MB of WAL. */
export const SAFETY_NET_PAGES = 10_000;

export interface CheckpointerOptions {
  dbPath: string;
  driver: WorkerDriver;
  /** ms between checkpoints. Default 200. */
  intervalMs?: number;
  /** A checkpoint or the worker failed (reported once per distinct message). */
  onError: (message: string) => void;
}

export interface Checkpointer {
  /** Stops the timer and closes the worker's connection. */
  stop(): Promise<void>;
}

/** ms stop() waits for the worker to finish its checkpoint and exit before terminating it. */
const STOP_TIMEOUT_MS = 2000;

/** The worker's whole program (CommonJS, evaluated as a string). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { dbPath, driver, intervalMs } = workerData;
let checkpoint;
let close;
if (driver.kind === 'bun:sqlite') {
  const { Database } = require('bun:sqlite');
  const db = new Database(dbPath, { readwrite: true, create: false });
  db.exec('PRAGMA busy_timeout = 0');
  const stmt = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
  checkpoint = () => stmt.get();
  close = () => db.close();
} else {
  const Database = require(driver.module);
  const db = new Database(dbPath, { fileMustExist: true });
  db.pragma('busy_timeout = 0');
  const stmt = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
  checkpoint = () => stmt.get();
  close = () => db.close();
}
let last = '';
const timer = setInterval(() => {
  try {
    checkpoint();
    last = '';
  } catch (error) {
    const message = String((error && error.message) || error);
    if (message !== last) parentPort.postMessage({ error: message });
    last = message;
  }
}, intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  try { close(); } catch {}
  parentPort.close();
});
parentPort.postMessage({ ready: true });
`;

/**
 * Starts the worker. Resolves once its connection is open; rejects when it cannot start
 * (the caller then keeps SQLite's automatic checkpoints).
 */
export async function startCheckpointer(o: CheckpointerOptions): Promise<Checkpointer> {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { dbPath: o.dbPath, driver: o.driver, intervalMs: o.intervalMs ?? 200 } });
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    worker.on('message', (m: { ready?: boolean; error?: string }) => {
      if (m.ready) resolve();
      else if (m.error) o.onError(`WAL checkpoint failed: ${m.error}`);
    });
    worker.on('error', (error) => {
      reject(error);
      o.onError(`WAL checkpoint worker failed: ${error.message}`);
    });
    void exited.then((code) => reject(new Error(`WAL checkpoint worker exited with code ${code}`)));
  });
  worker.unref();
  let stopped: Promise<void> | undefined;
  return {
    // The worker clears its timer and closes its connection, then has nothing left to do and exits.
    stop: () =>
      (stopped ??= (async () => {
        worker.postMessage('stop');
        const timeout = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timeout);
      })()),
  };
}
