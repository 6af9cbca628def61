import type { SpillFile } from './spill.js';
import type { CallRecord } from './types.js';
import type { WriteQueueError } from './queue-health.js';

/**
 * How a WriteQueue (write-queue.ts, SQLite's record queue) is set up: its options (read once,
 * when the queue is built) and the default size of its transactions.
 */

/**
 * Most records per transaction by default. Larger transactions cost less per call (one
 * commit, and the batch's rollup cells summed once: bench/store-ingest.mjs on bun:sqlite,
 * three tags per call, 200,000 calls: 91k calls/s at 1,000, 119k at 5,000, 145k at
 * 10,000; pinned to one CPU, 500,000 calls: 94–109k at 5,000, 107–114k at 10,000) but
 * hold SQLite's write lock longer (~90 ms at 10,000): other writers (the CLI's `keys`,
 * `prices reprice`, a budget alert stored by serve's main thread) wait up to that long.
 * Batches this large happen only when the writer is behind: each flush writes what
 * arrived since the last (flushIntervalMs, 50 ms: 500 records at 10,000 calls/s).
 */
export const DEFAULT_WRITE_BATCH = 10_000;

export interface WriteQueueOptions {
  /** Delay between flushes in ms while records are waiting. Default 50. */
  flushIntervalMs?: number;
  /** Most records written per transaction. Default DEFAULT_WRITE_BATCH. */
  batchSize?: number;
  /** Most records kept while writes fail; enqueue refuses more (oldest are kept). Default 100_000. */
  maxBuffered?: number;
  /** Called with a WriteQueueError; never called on the enqueue caller's stack for write failures. */
  onError?: (err: WriteQueueError) => void;
  /**
   * Where records go while the store keeps failing: once `spillAfter` records wait in
   * memory they move to this file, and come back (oldest first) when writes work again.
   * The file keeps them until they are stored (spill-cursor.ts).
   */
  spill?: SpillFile;
  /** Records kept in memory during a failure before they spill to the file. Default 10_000. */
  spillAfter?: number;
  /** Called when a failure streak ends (the store accepted writes again). */
  onRecover?: () => void;
  /**
   * Called with records as they leave the queue's hands — written, rejected as
   * unstorable, refused, or moved to the spill file — in the order that happens.
   */
  onHandled?: (records: readonly CallRecord[]) => void;
  /**
   * The store's write probe (sqlite-write-probe.ts): throws when a write would fail now.
   * With it, `degraded` follows the store while no record is written (write-probe.ts).
   * Runs on this queue's thread, synchronously. Default: none (health changes with writes only).
   */
  probe?: () => void;
  /** ms between probes while the store takes writes. Default DEFAULT_PROBE_INTERVAL_MS (5 s). */
  probeIntervalMs?: number;
}
