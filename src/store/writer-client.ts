import { Worker } from 'node:worker_threads';
import type { CallRecord, RecordWriter } from './types.js';
import { WriteQueue, WriteQueueError } from './write-queue.js';
import { WRITER_ROLE, type FromWriter, type ToWriter, type WriterStatus, type WriterThreadData } from './writer-thread.js';

export interface ThreadWriterOptions extends Omit<WriterThreadData, 'role' | 'flushSignal'> {
  /** The program's entry file; the thread starts from it (see writer-thread.ts). */
  entry: string;
  onError: (err: WriteQueueError) => void;
  onRecover: () => void;
  /** Builds the in-process queue that takes over if the thread dies. */
  fallback: () => WriteQueue;
  /** Told once, with a sentence for the log, when the thread stopped unexpectedly. */
  onThreadLost: (message: string) => void;
}

/** Longest a synchronous flush() blocks the event loop waiting for the thread (ms). */
const FLUSH_WAIT_MS = 10_000;
/**
 * Records go to the thread at most every POST_EVERY_MS, or as soon as POST_BATCH wait:
 * one message (and one wake-up of the thread) per batch instead of per call. Records are
 * in memory either way until the thread writes them (every flush interval).
 */
const POST_EVERY_MS = 10;
const POST_BATCH = 256;
/** Longest close() waits for the thread to exit after it answered `closed` (ms). */
const CLOSE_WAIT_MS = 2000;

/**
 * Starts the writer thread; resolves once its connection is open, rejects when it cannot
 * start (the caller then writes on the main thread).
 */
export async function startThreadWriter(o: ThreadWriterOptions): Promise<ThreadWriter> {
  const flushSignal = new SharedArrayBuffer(4);
  const data: WriterThreadData = {
    role: WRITER_ROLE,
    dbPath: o.dbPath,
    ...(o.spillPath ? { spillPath: o.spillPath } : {}),
    spillMaxBytes: o.spillMaxBytes,
    flushIntervalMs: o.flushIntervalMs,
    maxBuffered: o.maxBuffered,
    spillAfter: o.spillAfter,
    flushSignal,
  };
  const worker = new Worker(o.entry, { workerData: data });
  let onMessage: (m: FromWriter) => void = () => {};
  let onError: (e: Error) => void = () => {};
  let onExit: (code: number) => void = () => {};
  const status = await new Promise<WriterStatus>((resolve, reject) => {
    const fail = (error: Error) => {
      void worker.terminate();
      reject(error);
    };
    onMessage = (m) => (m.t === 'ready' ? resolve(m.status) : fail(new Error(m.t === 'failed' ? m.error : `unexpected first message '${m.t}'`)));
    onError = fail;
    onExit = (code) => fail(new Error(`the writer thread exited with code ${code} before it was ready`));
    worker.once('message', onMessage).once('error', onError).once('exit', onExit);
  }).finally(() => worker.off('message', onMessage).off('error', onError).off('exit', onExit));
  return new ThreadWriter(worker, new Int32Array(flushSignal), status, o);
}

/** Records posted to the thread and not yet settled there, in posting order. */
interface SentBatch {
  /** How many records had been posted in total once this batch was. */
  end: number;
  records: CallRecord[];
}

/**
 * The main-thread side of the writer thread. `enqueue` stays O(1): records collect in an
 * outbox that goes to the thread every POST_EVERY_MS or POST_BATCH records. Posted records are kept until
 * the thread reports them settled; if the thread dies, they and everything after go to
 * an in-process WriteQueue (a record the thread wrote just before dying may then be
 * written twice, rather than lost). Counters come from the thread's status reports, at
 * most one flush interval old.
 */
export class ThreadWriter implements RecordWriter {
  private outbox: CallRecord[] = [];
  private posting: ReturnType<typeof setTimeout> | undefined;
  private sent: SentBatch[] = [];
  private sentCount = 0;
  private refusedHere = 0;
  private flushSeq = 0;
  private drainSeq = 0;
  private readonly drains = new Map<number, { resolve: () => void; reject: (e: unknown) => void }>();
  /** Set once the thread answered `closed`: its exit is expected from then on. */
  private closing = false;
  /** Resolves close() once the thread answered `closed`, or died and was taken over. */
  private onClosed: (() => void) | undefined;
  private fallback: WriteQueue | undefined;

  constructor(
    private readonly worker: Worker,
    private readonly flushed: Int32Array,
    private status: WriterStatus,
    private readonly o: ThreadWriterOptions,
  ) {
    worker.on('message', (m: FromWriter) => this.onMessage(m));
    worker.on('error', (error) => this.takeOver(`failed: ${error.message}`));
    worker.on('exit', (code) => this.takeOver(`exited with code ${code}`));
    worker.unref();
  }

  get degraded(): boolean {
    return this.fallback ? this.fallback.degraded : this.status.degraded;
  }

  get full(): boolean {
    return this.fallback ? this.fallback.full : this.status.full;
  }

  get pending(): number {
    if (this.fallback) return this.fallback.pending;
    return this.outbox.length + Math.max(this.status.pending, this.sentCount - this.status.settled);
  }

  get spilled(): number {
    return this.fallback ? this.fallback.spilled : this.status.spilled;
  }

  get refused(): number {
    return this.refusedHere + this.status.refused + (this.fallback?.refused ?? 0);
  }

  enqueue(record: CallRecord): boolean {
    if (this.fallback) return this.fallback.enqueue(record);
    if (this.status.full) {
      this.refusedHere++;
      return false;
    }
    this.outbox.push(record);
    if (this.outbox.length >= POST_BATCH) this.post();
    else if (this.posting === undefined) {
      this.posting = setTimeout(this.post, POST_EVERY_MS);
      this.posting.unref?.();
    }
    return true;
  }

  /** Waits (blocking, up to FLUSH_WAIT_MS) until the thread has written everything enqueued so far. */
  flush(): void {
    if (this.fallback) {
      this.fallback.flush();
      return;
    }
    this.post();
    const seq = ++this.flushSeq;
    this.send({ t: 'flush', seq });
    const deadline = Date.now() + FLUSH_WAIT_MS;
    for (let seen = Atomics.load(this.flushed, 0); seen < seq; seen = Atomics.load(this.flushed, 0)) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      Atomics.wait(this.flushed, 0, seen, left);
    }
  }

  /** Writes everything pending (the thread retries while the store fails, then spills). */
  async drain(): Promise<void> {
    if (this.fallback) return this.fallback.drain();
    this.post();
    const id = ++this.drainSeq;
    // Referenced while any drain waits, so the process stays up for the answer.
    this.worker.ref();
    try {
      await new Promise<void>((resolve, reject) => {
        this.drains.set(id, { resolve, reject });
        this.send({ t: 'drain', id });
      });
    } finally {
      if (this.drains.size === 0 && !this.closing) this.worker.unref();
    }
  }

  /**
   * Writes what is still pending, ends the thread and waits for it to exit. The thread
   * drains before it answers `closed` (as long as a drain takes); if it dies first, what
   * it had not confirmed is written on the main thread.
   */
  async close(): Promise<void> {
    if (!this.fallback && !this.closing) {
      if (this.outbox.length > 0) await this.drain();
      this.worker.ref();
      const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
      await new Promise<void>((resolve) => {
        this.onClosed = resolve;
        this.send({ t: 'close' });
      });
      this.closing = this.fallback === undefined;
      if (this.closing) {
        const timer = setTimeout(() => void this.worker.terminate(), CLOSE_WAIT_MS);
        await exited;
        clearTimeout(timer);
      }
    }
    if (this.fallback) await this.fallback.drain();
  }

  private readonly post = (): void => {
    if (this.posting !== undefined) clearTimeout(this.posting);
    this.posting = undefined;
    if (this.outbox.length === 0 || this.fallback) return;
    const records = this.outbox;
    this.outbox = [];
    this.sentCount += records.length;
    this.sent.push({ end: this.sentCount, records });
    this.send({ t: 'records', records });
  };

  private send(m: ToWriter): void {
    this.worker.postMessage(m);
  }

  private onMessage(m: FromWriter): void {
    if (m.t === 'status' || m.t === 'ready') this.settle(m.status);
    else if (m.t === 'drained') {
      this.settle(m.status);
      const d = this.drains.get(m.id);
      this.drains.delete(m.id);
      if (m.error === undefined) d?.resolve();
      else d?.reject(new WriteQueueError('retrying', m.status.pending, { cause: new Error(m.error) }));
    } else if (m.t === 'error') this.o.onError(new WriteQueueError(m.kind, m.count, { cause: new Error(m.cause) }));
    else if (m.t === 'recover') this.o.onRecover();
    else if (m.t === 'closed') this.onClosed?.();
  }

  private settle(status: WriterStatus): void {
    this.status = status;
    while (this.sent.length > 0 && (this.sent[0] as SentBatch).end <= status.settled) this.sent.shift();
  }

  /** The thread is gone: everything it may not have written goes to an in-process queue. */
  private takeOver(reason: string): void {
    if (this.closing || this.fallback) return;
    const queue = this.o.fallback();
    let unsettled = 0;
    for (const batch of this.sent) {
      const start = batch.end - batch.records.length;
      const skip = Math.max(0, this.status.settled - start);
      for (const record of batch.records.slice(skip)) {
        queue.enqueue(record);
        unsettled++;
      }
    }
    for (const record of this.outbox) queue.enqueue(record);
    this.fallback = queue;
    this.o.onThreadLost(`the call-record writer thread ${reason}; ${unsettled + this.outbox.length} record(s) it had not confirmed and all new ones are written on the main thread from now on`);
    this.sent = [];
    this.outbox = [];
    for (const d of this.drains.values()) queue.drain().then(d.resolve, d.reject);
    this.drains.clear();
    this.onClosed?.();
  }
}
