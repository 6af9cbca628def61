import type { SpillFile } from './spill.js';
import type { CallRecord } from './types.js';
import type { WriteQueueError } from './queue-health.js';

/**
 * How an AsyncWriteQueue (async-write-queue.ts, the PostgreSQL record queue) is set up: its
 * options (read once, when the queue is built) and the default size of its transactions.
 */

/**
 * Most records per transaction unless told otherwise. Under load batches grow to this
 * (records wait while two batches are in flight); each batch pays for its rollup and
 * entity rows once, so bigger batches cost less per call. bench/pg-ingest.ts, server and
 * replica CPU per call: 5,000: ~47 µs, 10,000: ~36, 20,000: ~33, 40,000: ~30 (before the
 * plain insert). Memory (Bun, bench records): two batches of 20,000 in flight are ~30 MB
 * of records, and ~45 MB more while their rows are prepared and encoded.
 */
export const DEFAULT_BATCH_SIZE = 20_000;

/** What an AsyncWriteQueue is built with; every field is optional (its default in its doc). */
export interface AsyncWriteQueueOptions {
  /** Delay between writes in ms while records wait (the flush window a crash can lose). Default 50. */
  flushIntervalMs?: number;
  /** Most records per transaction. Default DEFAULT_BATCH_SIZE. */
  batchSize?: number;
  /** Batches in flight at once. Default 2. */
  concurrency?: number;
  /** Most records kept in memory; past it records spill, and enqueue refuses when they cannot. Default 100_000. */
  maxBuffered?: number;
  /** Where records go while the sink keeps failing; replayed when it works again, also after a restart. */
  spill?: SpillFile;
  /** Records kept in memory during a failure before they spill. Default 10_000. */
  spillAfter?: number;
  /** Longest pause between retries of a failing sink, ms. Default 1000. */
  maxRetryMs?: number;
  /** Gives each accepted record what the sink needs before it can be spilled (the call id). */
  stamp?: (record: CallRecord) => CallRecord;
  onError?: (err: WriteQueueError) => void;
  /** Called when a failure streak ends. */
  onRecover?: () => void;
  /** ms between the sink's probes (RecordSink.probe) while it takes writes. Default DEFAULT_PROBE_INTERVAL_MS (5 s). */
  probeIntervalMs?: number;
}
