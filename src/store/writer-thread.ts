import { parentPort } from 'node:worker_threads';
import { edgesFor } from '../edges.js';
import { detectRuntime } from '../runtime.js';
import { SpillFile } from './spill.js';
import { createCallWriter } from './call-writer.js';
import type { CallRecord } from './types.js';
import { WriteQueue, type WriteQueueErrorKind } from './write-queue.js';

/**
 * The call-record writer thread: a WriteQueue and its own SQLite connection (store,
 * rollups, spill file), so inserts, rollup upserts, WAL checkpoints and lock waits never
 * run on the proxy's event loop. It starts from the program's own entry file (main.ts
 * dispatches on `workerData.role`), so the Bun binary and the Node build need no second
 * entry point. The main-thread side is ThreadWriter (writer-client.ts).
 */

export const WRITER_ROLE = 'tokometer-writer';

export interface WriterThreadData {
  role: typeof WRITER_ROLE;
  dbPath: string;
  spillPath?: string;
  /** Largest spill file in bytes. */
  spillMaxBytes: number;
  flushIntervalMs: number;
  maxBuffered: number;
  spillAfter: number;
  /** Int32Array over a SharedArrayBuffer: [0] = the last synchronous flush finished (its sequence number). */
  flushSignal: SharedArrayBuffer;
}

/**
 * What the writer reports. `settled`: records 1..settled received from the main thread,
 * in posting order, are written, rejected as unstorable, refused, or in the spill file;
 * it only grows. (A spilled record read back into memory when the store recovers is
 * exposed to a crash of the thread as it is to a crash of the process.)
 */
export interface WriterStatus {
  degraded: boolean;
  full: boolean;
  pending: number;
  spilled: number;
  refused: number;
  settled: number;
}

export type ToWriter = { t: 'records'; records: CallRecord[] } | { t: 'flush'; seq: number } | { t: 'drain'; id: number } | { t: 'close' };

export type FromWriter =
  | { t: 'ready'; status: WriterStatus }
  | { t: 'status'; status: WriterStatus }
  | { t: 'drained'; id: number; status: WriterStatus; error?: string }
  | { t: 'error'; kind: WriteQueueErrorKind; count: number; cause: string }
  | { t: 'recover' }
  | { t: 'closed' }
  | { t: 'failed'; error: string };

export function isWriterThreadData(data: unknown): data is WriterThreadData {
  return typeof data === 'object' && data !== null && (data as { role?: unknown }).role === WRITER_ROLE;
}

/** Runs the writer until the main thread sends `close` (then closes the connection and lets the thread end). */
export async function runWriterThread(data: WriterThreadData): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('the writer thread must run in a worker');
  const post = (m: FromWriter) => port.postMessage(m);
  const settled = new SettledPrefix();
  let queue: WriteQueue;
  let close: () => void;
  try {
    const open = await edgesFor(detectRuntime()).openDriver();
    const store = createCallWriter(open(data.dbPath));
    close = () => store.close();
    queue = new WriteQueue(store, {
      flushIntervalMs: data.flushIntervalMs,
      maxBuffered: data.maxBuffered,
      spillAfter: data.spillAfter,
      ...(data.spillPath ? { spill: new SpillFile(data.spillPath, data.spillMaxBytes) } : {}),
      onError: (e) => post({ t: 'error', kind: e.kind, count: e.count, cause: String(e.cause ?? '') }),
      onRecover: () => post({ t: 'recover' }),
      onSettled: (records) => settled.settle(records),
    });
  } catch (error) {
    post({ t: 'failed', error: error instanceof Error ? error.message : String(error) });
    port.close();
    return;
  }
  const flushed = new Int32Array(data.flushSignal);
  const status = (): WriterStatus => ({
    degraded: queue.degraded,
    full: queue.full,
    pending: queue.pending,
    spilled: queue.spilled,
    refused: queue.refused,
    settled: settled.count,
  });
  let last = '';
  // Status goes out once per flush interval, and only when it changed.
  const reporter = setInterval(() => {
    const s = status();
    const text = JSON.stringify(s);
    if (text !== last) post({ t: 'status', status: s });
    last = text;
  }, data.flushIntervalMs);
  post({ t: 'ready', status: status() });
  port.on('message', (m: ToWriter) => {
    if (m.t === 'records') {
      for (const record of m.records) {
        settled.receive(record);
        queue.enqueue(record);
      }
    } else if (m.t === 'flush') {
      queue.flush();
      Atomics.store(flushed, 0, m.seq);
      Atomics.notify(flushed, 0);
    } else if (m.t === 'drain') {
      queue.drain().then(
        () => post({ t: 'drained', id: m.id, status: status() }),
        (error: unknown) => post({ t: 'drained', id: m.id, status: status(), error: String((error as { cause?: unknown }).cause ?? error) }),
      );
    } else if (m.t === 'close') {
      // Records posted after the last drain are written (or spilled) before the connection closes.
      void queue
        .drain()
        .catch(() => {})
        .finally(() => {
          clearInterval(reporter);
          close();
          post({ t: 'closed' });
          port.close();
        });
    }
  });
}

/** The longest prefix, in posting order, of records received from the main thread that are settled. */
export class SettledPrefix {
  private readonly seqOf = new WeakMap<CallRecord, number>();
  /** Settled sequence numbers beyond the prefix. */
  private readonly ahead = new Set<number>();
  private received = 0;
  /** Records 1..count are settled. */
  count = 0;

  receive(record: CallRecord): void {
    this.seqOf.set(record, ++this.received);
  }

  /** Marks records settled; records not received from the main thread (replayed from a spill file) are ignored. */
  settle(records: readonly CallRecord[]): void {
    for (const record of records) {
      const seq = this.seqOf.get(record);
      if (seq === undefined) continue;
      this.seqOf.delete(record);
      this.ahead.add(seq);
    }
    while (this.ahead.delete(this.count + 1)) this.count++;
  }
}

