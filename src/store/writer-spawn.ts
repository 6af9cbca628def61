import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WriteQueueError } from './queue-health.js';
import { WRITER_ROLE, type FromWriter, type WriterStatus, type WriterThreadData } from './writer-thread.js';

/**
 * Starting one call-record writer thread (writer-thread.ts) and waiting for its `ready`;
 * the main thread's side of the running thread is writer-client.ts.
 */

/** How the writer threads of one ThreadWriter are started, and whom they tell what happened. */
export interface ThreadWriterOptions extends Omit<WriterThreadData, 'role' | 'run' | 'resumeAfter'> {
  /**
   * The program's entry file. The thread starts from `store/writer-entry.js` beside it (in
   * the Bun binary, its second embedded entry point), which loads only the writer.
   */
  entry: string;
  onError: (err: WriteQueueError) => void;
  onRecover: () => void;
  /** Told, with a sentence for the log, when the thread stopped unexpectedly or a new one did not start. */
  onThreadLost: (message: string) => void;
  /** Told, with a sentence for the log, when a new thread took over. */
  onThreadRestarted?: (message: string) => void;
}

/** A writer thread that answered `ready`. */
export interface Started {
  worker: Worker;
  status: WriterStatus;
  /** Re-posted records the new thread will skip: an earlier thread of the run had handled them. */
  skipped: number;
}

/**
 * The writer thread's entry file, beside the program's: dist/js/store/writer-entry.js on
 * Node, /$bunfs/root/store/writer-entry.js in the binary. Starting the thread from it
 * instead of the program's bundle saves the thread parsing the whole CLI: 6 MB of RSS
 * idle and 10 MB under load on the binary (bench/README.md, Memory).
 */
export const writerEntry = (programEntry: string): URL => new URL('./store/writer-entry.js', pathToFileURL(programEntry));

/** Starts one writer thread of `run`; resolves once its connection is open, rejects when it cannot start. */
export async function spawnWriter(o: ThreadWriterOptions, run: string, resumeAfter: number): Promise<Started> {
  const data: WriterThreadData = {
    role: WRITER_ROLE,
    dbPath: o.dbPath,
    ...(o.spillPath ? { spillPath: o.spillPath } : {}),
    spillMaxBytes: o.spillMaxBytes,
    flushIntervalMs: o.flushIntervalMs,
    maxBuffered: o.maxBuffered,
    spillAfter: o.spillAfter,
    ...(o.statusIntervalMs ? { statusIntervalMs: o.statusIntervalMs } : {}),
    ...(o.busyTimeoutMs !== undefined ? { busyTimeoutMs: o.busyTimeoutMs } : {}),
    ...(o.entityHoldMs !== undefined ? { entityHoldMs: o.entityHoldMs } : {}),
    ...(o.probeIntervalMs !== undefined ? { probeIntervalMs: o.probeIntervalMs } : {}),
    run,
    resumeAfter,
  };
  const worker = new Worker(writerEntry(o.entry), { workerData: data });
  let onMessage: (m: FromWriter) => void = () => {};
  let onError: (e: Error) => void = () => {};
  let onExit: (code: number) => void = () => {};
  return new Promise<Started>((resolve, reject) => {
    const fail = (error: Error) => {
      void worker.terminate();
      reject(error);
    };
    onMessage = (m) => (m.t === 'ready' ? resolve({ worker, status: m.status, skipped: m.skipped }) : fail(new Error(m.t === 'failed' ? m.error : `unexpected first message '${m.t}'`)));
    onError = fail;
    onExit = (code) => fail(new Error(`the writer thread exited with code ${code} before it was ready`));
    worker.once('message', onMessage).once('error', onError).once('exit', onExit);
  }).finally(() => worker.off('message', onMessage).off('error', onError).off('exit', onExit));
}
