import { parentPort } from 'node:worker_threads';
import { TimeSlice } from '../lib/time-slice.js';
import { HandledPrefix } from './handled-prefix.js';
import { SpillFile } from './spill.js';
import { createCallWriter, type CallWriter } from './call-writer.js';
import { swapBusyTimeout } from './db.js';
import { DEFAULT_ENTITY_HOLD_MS } from './entity-fold.js';
import type { CallRecord, OpenDriver, SqlDriver, WriterMark } from './types.js';
import type { WriteQueueErrorKind } from './queue-health.js';
import { WriteQueue } from './write-queue.js';
import { sqliteWriteProbe } from './sqlite-write-probe.js';
import { forgetMark, forgetStaleMarks, storedMark } from './writer-marks.js';

/**
 * The call-record writer thread: a WriteQueue and its own SQLite connection (store,
 * rollups, spill file), so inserts, rollup upserts, WAL checkpoints and lock waits never
 * run on the proxy's event loop. It starts from its own entry file (writer-entry.ts, the
 * binary's second embedded entry point), so it never parses the CLI. The main-thread side
 * is ThreadWriter (writer-client.ts).
 *
 * Exactly once across a thread's death: records carry their number in posting order;
 * every commit (and every spill append) also stores the run's handled prefix (the mark,
 * store/writer-marks.ts) atomically with the records. A new thread of the same run skips
 * re-posted records at or below the highest mark, because those are handled: written or
 * in the spill file, which it replays itself. Above the mark nothing was written, because
 * the thread writes records in posting order and each commit's mark covers all of them.
 */

export const WRITER_ROLE = 'tokometer-writer';

/**
 * CPU ms the thread writes (records, rollups, entity rows) before it gives the core away
 * for a moment (lib/time-slice.ts). A flush of 50 ms of calls at 5,000 calls/s is ~1.1 ms
 * of inserts, more with user ids; without the pause, a request arriving meanwhile on a
 * shared core waited all of it.
 */
const WRITE_SLICE_MS = 0.3;

export interface WriterThreadData {
  role: typeof WRITER_ROLE;
  dbPath: string;
  spillPath?: string;
  /** Largest spill file in bytes. */
  spillMaxBytes: number;
  flushIntervalMs: number;
  maxBuffered: number;
  spillAfter: number;
  /** ms between status reports (only sent when the status changed). Default: flushIntervalMs. */
  statusIntervalMs?: number;
  /** ms a write waits for a lock another connection holds before it fails and is retried. Default: the driver's (drivers/setup.ts, 5 s); tests shorten it. */
  busyTimeoutMs?: number;
  /** ms between write probes while the store takes writes (write-probe.ts). Default DEFAULT_PROBE_INTERVAL_MS. */
  probeIntervalMs?: number;
  /** ms the call writer keeps entity rows in memory (entity-fold.ts). Default DEFAULT_ENTITY_HOLD_MS. */
  entityHoldMs?: number;
  /** The record writer this thread serves; the same across its restarts. */
  run: string;
  /** Records 1..resumeAfter were confirmed to the main thread by an earlier thread of this run (0 for the first). */
  resumeAfter: number;
}

/**
 * What the writer reports. `handled`: records 1..handled received from the main thread,
 * in posting order, are written, rejected as unstorable, refused, or in the spill file;
 * it only grows. (A spilled record read back into memory stays in the file until it is
 * written: a new thread replays the file from the spill mark, spill-cursor.ts.)
 */
export interface WriterStatus {
  degraded: boolean;
  full: boolean;
  pending: number;
  spilled: number;
  refused: number;
  handled: number;
}

export type ToWriter =
  /**
   * Records numbered first, first + 1, … in posting order. `records`: JSON of
   * CallRecord[] — one string posts for ~1.7 µs a record where the
   * objects cost ~4.4 µs of structured clone on the main thread (Bun, 256-record
   * batches). JSON has no NaN or Infinity: such a number (a bug upstream) arrives as null,
   * so a nullable field takes it as null instead of rejecting the record.
   */
  | { t: 'records'; first: number; records: string }
  | { t: 'flush'; id: number }
  | { t: 'drain'; id: number }
  | { t: 'close' };

export type FromWriter =
  | { t: 'ready'; status: WriterStatus; skipped: number }
  | { t: 'status'; status: WriterStatus }
  | { t: 'flushed'; id: number; written: boolean; status: WriterStatus }
  | { t: 'drained'; id: number; status: WriterStatus; error?: string }
  | { t: 'error'; kind: WriteQueueErrorKind; count: number; cause: string }
  | { t: 'recover' }
  | { t: 'closed'; status: WriterStatus }
  | { t: 'failed'; error: string };

/**
 * ms each of a closing thread's last writes (marks, the entity fold) waits for a lock held
 * by another connection: three of them stay well inside writer-client.ts CLOSE_WAIT_MS
 * (2,000), after which the main thread ends the thread.
 */
export const CLOSING_BUSY_TIMEOUT_MS = 250;

export function isWriterThreadData(data: unknown): data is WriterThreadData {
  return typeof data === 'object' && data !== null && (data as { role?: unknown }).role === WRITER_ROLE;
}

/**
 * Runs the writer until the main thread sends `close` (then closes the connection and lets
 * the thread end). `loadDriver` gives the runtime's SQLite driver (chosen by the entry).
 */
export async function runWriterThread(data: WriterThreadData, loadDriver: () => Promise<OpenDriver>): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('the writer thread must run in a worker');
  const post = (m: FromWriter) => port.postMessage(m);
  const handled = new HandledPrefix(data.resumeAfter);
  const markAfter = (records: readonly CallRecord[]): WriterMark => ({ run: data.run, handled: handled.after(records), at: Date.now() });
  let queue: WriteQueue;
  let store: CallWriter;
  /**
   * The entity rows the call writer holds are written by its next transaction once due
   * (entity-fold.ts); when no more calls come, this timer writes them instead, so an idle
   * proxy leaves no call pending for readers to add up.
   */
  let foldTimer: ReturnType<typeof setTimeout> | undefined;
  /** In `ms`, writes what the call writer holds (`whenDue`: only if due by then) and any call pending. */
  const foldAfter = (ms: number, whenDue: boolean): void => {
    foldTimer = setTimeout(() => {
      foldTimer = undefined;
      try {
        if (!whenDue || store.heldEntitiesDueInMs() === 0) store.writeHeldEntities();
      } catch {
        // Still pending in the database: the writer's next transaction writes them.
      }
      scheduleFold();
    }, ms);
  };
  const scheduleFold = (): void => {
    const due = foldTimer === undefined ? store.heldEntitiesDueInMs() : undefined;
    if (due !== undefined) foldAfter(due, true);
  };
  /** The thread's own connection (the call writer's), for its marks. */
  let driver: SqlDriver;
  /** Re-posted records up to here were handled by an earlier thread of this run. */
  let skipThrough: number;
  try {
    const open = await loadDriver();
    driver = open(data.dbPath);
    if (data.busyTimeoutMs !== undefined) driver.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(data.busyTimeoutMs))}`);
    store = createCallWriter(driver, new TimeSlice(WRITE_SLICE_MS), { entityHoldMs: data.entityHoldMs ?? DEFAULT_ENTITY_HOLD_MS });
    const spill = data.spillPath ? new SpillFile(data.spillPath, data.spillMaxBytes, markAfter) : undefined;
    // Read before the queue takes the spill file back.
    skipThrough = Math.max(storedMark(driver, data.run), spill?.markOf(data.run) ?? 0);
    const marked = store;
    queue = new WriteQueue({
      // With the run's mark, the spill file's (a batch holding records read back from it).
      insertCalls: (records, ...marks) => {
        marked.insertCalls(records, markAfter(records), ...marks);
        scheduleFold();
      },
      spillMark: (id) => marked.spillMark(id),
      forgetSpillMark: (id) => marked.forgetSpillMark(id),
    }, {
      flushIntervalMs: data.flushIntervalMs,
      maxBuffered: data.maxBuffered,
      spillAfter: data.spillAfter,
      ...(spill ? { spill } : {}),
      // The probe can turn the health with no message from the main thread: the reporter wakes for it.
      onError: (e) => {
        post({ t: 'error', kind: e.kind, count: e.count, cause: String(e.cause ?? '') });
        wake();
      },
      onRecover: () => {
        post({ t: 'recover' });
        wake();
      },
      onHandled: (records) => handled.handle(records),
      probe: sqliteWriteProbe(driver),
      ...(data.probeIntervalMs !== undefined ? { probeIntervalMs: data.probeIntervalMs } : {}),
    });
  } catch (error) {
    post({ t: 'failed', error: error instanceof Error ? error.message : String(error) });
    port.close();
    return;
  }
  const status = (): WriterStatus => ({
    degraded: queue.degraded,
    full: queue.full,
    pending: queue.pending,
    spilled: queue.spilled,
    refused: queue.refused,
    handled: handled.count,
  });
  let last = '';
  let reporter: ReturnType<typeof setInterval> | undefined;
  // Status goes out once per interval, and only when it changed. With nothing pending,
  // spilled or failing, only a message from the main thread can change it: the reporter
  // then sleeps until the next one (an idle proxy's writer thread woke 22 times a second
  // for nothing: ~2 ms of CPU per second; −0.3 µs per relayed chunk in bench/ab.mjs).
  const report = () => {
    const s = status();
    const text = JSON.stringify(s);
    if (text !== last) post({ t: 'status', status: s });
    last = text;
    if (s.pending === 0 && s.spilled === 0 && !s.degraded) stopReporting();
  };
  const stopReporting = () => {
    if (reporter !== undefined) clearInterval(reporter);
    reporter = undefined;
  };
  const wake = () => {
    reporter ??= setInterval(report, data.statusIntervalMs ?? data.flushIntervalMs);
  };
  const initial = status();
  post({ t: 'ready', status: initial, skipped: Math.max(0, skipThrough - data.resumeAfter) });
  last = JSON.stringify(initial);
  // A spill file taken back at start may still be replaying.
  wake();
  // A predecessor that stopped without closing (kill -9, a thread that died) may have left calls
  // in entity_pending. The first transaction of calls writes them; when none comes, this does.
  // Not now: starting never waits for the write lock.
  foldAfter(data.entityHoldMs ?? DEFAULT_ENTITY_HOLD_MS, false);
  /** Sets how long a write waits for a lock held elsewhere (ms); returns the wait it replaced (db.ts swapBusyTimeout). */
  const busyTimeout = (ms: number): number | null => swapBusyTimeout(driver, ms);
  port.on('message', (m: ToWriter) => {
    wake();
    if (m.t === 'records') {
      const records = JSON.parse(m.records) as CallRecord[];
      for (let i = 0; i < records.length; i++) {
        const record = records[i] as CallRecord;
        const seq = m.first + i;
        handled.receive(record, seq);
        if (seq <= skipThrough) handled.handle([record]);
        else queue.enqueue(record);
      }
    } else if (m.t === 'flush') {
      void queue.flush().then((written) => post({ t: 'flushed', id: m.id, written, status: status() }));
    } else if (m.t === 'drain') {
      // A drain is the shutdown's: a write lock held by another process costs each of its
      // attempts CLOSING_BUSY_TIMEOUT_MS, not the busy timeout, so what cannot be written
      // spills within seconds (20 attempts of 5 s outlasted any stop timeout: docker's is 10 s).
      const before = busyTimeout(CLOSING_BUSY_TIMEOUT_MS);
      queue
        .drain()
        .then(
          () => post({ t: 'drained', id: m.id, status: status() }),
          (error: unknown) => post({ t: 'drained', id: m.id, status: status(), error: String((error as { cause?: unknown }).cause ?? error) }),
        )
        .finally(() => {
          if (before !== null) busyTimeout(before);
        });
    } else if (m.t === 'close') {
      busyTimeout(CLOSING_BUSY_TIMEOUT_MS);
      // Records posted after the last drain are written (or spilled) before the connection closes.
      void queue
        .drain()
        .catch(() => {})
        .finally(() => {
          stopReporting();
          clearTimeout(foldTimer);
          // The main thread learns the final status before the run's mark goes: if this
          // thread dies before the answer, the mark still guards a replacement.
          post({ t: 'closed', status: status() });
          // From here the main thread ends this thread if it has not exited within CLOSE_WAIT_MS
          // (writer-client.ts), and ending a Node thread inside SQLite's busy wait aborts the
          // whole process (better-sqlite3). So these last writes give up on a lock held
          // elsewhere quickly; each is done again by a later writer. (Set before the drain too;
          // again here in case a drain that ended meanwhile put the longer wait back.)
          busyTimeout(CLOSING_BUSY_TIMEOUT_MS);
          // Starting must never wait for the write lock, so marks are tidied here: this run's,
          // and those of runs that ended without closing. A failing store keeps them for later.
          try {
            forgetMark(driver, data.run);
            forgetStaleMarks(driver, Date.now());
          } catch {
            // Deleted by a later close.
          }
          store.close();
          port.close();
        });
    }
  });
}
