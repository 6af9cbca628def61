import { randomUUID } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import type { CallRecord, RecordWriter } from './types.js';
import { WriteQueueError } from './queue-health.js';
import { spawnWriter, type Started, type ThreadWriterOptions } from './writer-spawn.js';
import type { FromWriter, ToWriter, WriterStatus } from './writer-thread.js';

export type { ThreadWriterOptions } from './writer-spawn.js';

/**
 * Records go to the thread at most every POST_EVERY_MS, or as soon as POST_BATCH wait:
 * one message (and one wake-up of the thread) per batch instead of per call. Records are
 * in memory either way until the thread writes them (every flush interval).
 */
const POST_EVERY_MS = 10;
const POST_BATCH = 256;
/** Longest close() waits for the thread to exit after it answered `closed` (ms). */
const CLOSE_WAIT_MS = 2000;
/** Waits before each attempt to start a new thread after one died (ms); the last one repeats. */
const RESTART_DELAYS_MS = [0, 100, 500, 2000, 5000];
/** Attempts to start a new thread while closing before the records it would write are given up. */
const RESTARTS_WHILE_CLOSING = 3;

/**
 * Starts the writer thread; resolves once its connection is open, rejects when it cannot
 * start (serve then refuses to start: there is no second writer).
 */
export async function startThreadWriter(o: ThreadWriterOptions): Promise<ThreadWriter> {
  const run = randomUUID();
  return new ThreadWriter(await spawnWriter(o, run, 0), run, o);
}

/** Records posted to the thread and not yet confirmed, in posting order. */
interface SentBatch {
  /** How many records had been posted in total once this batch was. */
  end: number;
  records: CallRecord[];
}

/** A flush or drain the thread has not answered yet; sent again to a new thread. */
interface Request {
  kind: 'flush' | 'drain';
  resolve: (written: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * The main-thread side of the writer thread, the only writer of call records in serve.
 * `enqueue` stays O(1): records collect in an outbox that goes to the thread every
 * POST_EVERY_MS or POST_BATCH records. Posted records are kept until the thread reports
 * them handled. If the thread dies, a new one starts (the same run) and gets the records
 * the old one had not confirmed; it skips those the old one had handled (marks, see
 * writer-thread.ts), so none is lost and none is written twice. While no thread runs,
 * records wait here, up to `maxBuffered`. Counters come from the thread's status reports,
 * at most one status interval old.
 */
export class ThreadWriter implements RecordWriter {
  private worker: Worker | null;
  private status: WriterStatus;
  private outbox: CallRecord[] = [];
  private posting: ReturnType<typeof setTimeout> | undefined;
  private sent: SentBatch[] = [];
  private sentCount = 0;
  private refusedHere = 0;
  private requestSeq = 0;
  private readonly requests = new Map<number, Request>();
  private closeRequested = false;
  /** Set once the thread answered `closed`: its exit is expected from then on. */
  private closedAnswered = false;
  /** Resolves close() once the thread answered `closed`, or the writer gave up. */
  private onClosed: (() => void) | undefined;
  /** Set when no thread could be started while closing: nothing more can be written. */
  private gaveUp = false;
  private lastThreadError = '';
  /** Resolves when the current thread has exited. */
  private exited: Promise<void> = Promise.resolve();

  constructor(
    started: Started,
    /** This writer's run id (writer_marks). */
    readonly run: string,
    private readonly o: ThreadWriterOptions,
  ) {
    this.worker = started.worker;
    this.status = started.status;
    this.attach(started.worker);
  }

  /** True while writes fail, or while no thread runs. */
  get degraded(): boolean {
    return this.worker === null || this.status.degraded;
  }

  get full(): boolean {
    return this.gaveUp || this.status.full || this.pending >= this.o.maxBuffered;
  }

  get pending(): number {
    return this.outbox.length + Math.max(this.status.pending, this.sentCount - this.status.handled);
  }

  get spilled(): number {
    return this.status.spilled;
  }

  get refused(): number {
    return this.refusedHere + this.status.refused;
  }

  enqueue(record: CallRecord): boolean {
    // After close() the thread takes no more records: refused and counted, never accepted and dropped.
    if (this.full || this.closeRequested || this.closedAnswered) {
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

  /**
   * See RecordWriter.flush: the thread writes what it holds and answers; the event loop
   * never waits. False at once while no thread runs (the records wait for the next one).
   */
  flush(): Promise<boolean> {
    if (this.worker === null || this.gaveUp) return Promise.resolve(false);
    this.post();
    return this.request('flush');
  }

  /** Writes everything pending (the thread retries while the store fails, then spills). */
  async drain(): Promise<void> {
    if (this.gaveUp) throw new WriteQueueError('retrying', this.pending, { cause: new Error(this.lastThreadError) });
    this.post();
    await this.request('drain');
  }

  /**
   * Writes what is still pending, ends the thread and waits for it to exit. The thread
   * drains before it answers `closed` (as long as a drain takes); if it dies first, a new
   * one takes over and closes.
   */
  async close(): Promise<void> {
    if (this.closedAnswered || this.gaveUp) return;
    this.closeRequested = true;
    this.post();
    await new Promise<void>((resolve) => {
      this.onClosed = resolve;
      this.worker?.ref();
      this.send({ t: 'close' });
    });
    const worker = this.worker;
    if (!worker) return;
    const timer = setTimeout(() => void worker.terminate(), CLOSE_WAIT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private request(kind: Request['kind']): Promise<boolean> {
    const id = ++this.requestSeq;
    // Referenced while any request waits, so the process stays up for the answer.
    this.worker?.ref();
    return new Promise<boolean>((resolve, reject) => {
      this.requests.set(id, { kind, resolve, reject });
      this.send(kind === 'flush' ? { t: 'flush', id } : { t: 'drain', id });
    });
  }

  private answer(id: number, finish: (r: Request) => void): void {
    const r = this.requests.get(id);
    if (!r) return;
    this.requests.delete(id);
    if (this.requests.size === 0 && !this.closeRequested) this.worker?.unref();
    finish(r);
  }

  private readonly post = (): void => {
    if (this.posting !== undefined) clearTimeout(this.posting);
    this.posting = undefined;
    if (this.outbox.length === 0 || this.worker === null) return;
    const records = this.outbox;
    this.outbox = [];
    const first = this.sentCount + 1;
    this.sentCount += records.length;
    this.sent.push({ end: this.sentCount, records });
    this.send({ t: 'records', first, records: JSON.stringify(records) });
  };

  private send(m: ToWriter): void {
    this.worker?.postMessage(m);
  }

  private attach(worker: Worker): void {
    this.exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (m: FromWriter) => this.onMessage(m));
    worker.on('error', (error) => {
      this.lastThreadError = error.message;
      // Its exit follows; that is where a new thread starts.
      void worker.terminate();
    });
    worker.on('exit', (code) => {
      if (worker === this.worker && !this.closedAnswered) this.lost(this.lastThreadError ? `failed: ${this.lastThreadError}` : `exited with code ${code}`);
    });
    if (this.requests.size === 0 && !this.closeRequested) worker.unref();
  }

  private onMessage(m: FromWriter): void {
    if (m.t === 'status' || m.t === 'ready') this.takeStatus(m.status);
    else if (m.t === 'flushed') {
      this.takeStatus(m.status);
      this.answer(m.id, (r) => r.resolve(m.written));
    } else if (m.t === 'drained') {
      this.takeStatus(m.status);
      this.answer(m.id, (r) => (m.error === undefined ? r.resolve(true) : r.reject(new WriteQueueError('retrying', m.status.pending, { cause: new Error(m.error) }))));
    } else if (m.t === 'error') this.o.onError(new WriteQueueError(m.kind, m.count, { cause: new Error(m.cause) }));
    else if (m.t === 'recover') this.o.onRecover();
    else if (m.t === 'closed') {
      this.takeStatus(m.status);
      this.closedAnswered = true;
      this.onClosed?.();
    }
  }

  private takeStatus(status: WriterStatus): void {
    this.status = status;
    while (this.sent.length > 0 && (this.sent[0] as SentBatch).end <= status.handled) this.sent.shift();
  }

  /** The thread is gone: start a new one of the same run. */
  private lost(reason: string): void {
    this.worker = null;
    this.lastThreadError = '';
    const unconfirmed = this.sentCount - this.status.handled;
    this.o.onThreadLost(`the call-record writer thread ${reason}; a new one starts and gets the ${unconfirmed} record(s) it had not confirmed`);
    void this.restart(0);
  }

  private async restart(attempt: number): Promise<void> {
    const delay = RESTART_DELAYS_MS[Math.min(attempt, RESTART_DELAYS_MS.length - 1)] as number;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    let started: Started;
    try {
      started = await spawnWriter(this.o, this.run, this.status.handled);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.lastThreadError = message;
      if (this.closeRequested && attempt + 1 >= RESTARTS_WHILE_CLOSING) return this.giveUp(message);
      this.o.onThreadLost(`a new call-record writer thread did not start (${message}); ${this.pending} record(s) wait in memory; trying again`);
      return this.restart(attempt + 1);
    }
    this.worker = started.worker;
    this.status = started.status;
    this.attach(started.worker);
    // Unconfirmed records first (in posting order, with their numbers), then the outbox,
    // then the requests and the close that waited: each covers what was posted before it.
    for (const batch of this.sent) {
      const start = batch.end - batch.records.length;
      const skip = Math.max(0, this.status.handled - start);
      if (skip < batch.records.length) this.send({ t: 'records', first: start + skip + 1, records: JSON.stringify(skip === 0 ? batch.records : batch.records.slice(skip)) });
    }
    this.post();
    for (const [id, r] of this.requests) this.send(r.kind === 'flush' ? { t: 'flush', id } : { t: 'drain', id });
    if (this.requests.size > 0 || this.closeRequested) started.worker.ref();
    if (this.closeRequested) this.send({ t: 'close' });
    this.o.onThreadRestarted?.(`a new call-record writer thread took over${started.skipped > 0 ? `; ${started.skipped} record(s) the old one had already stored were not stored again` : ''}`);
  }

  /** Closing, and no thread starts: what is not written is lost; say how much. */
  private giveUp(message: string): void {
    this.gaveUp = true;
    const lost = this.pending;
    this.o.onThreadLost(`no call-record writer thread can be started (${message}); ${lost} record(s) that were not written are lost`);
    for (const r of this.requests.values()) {
      if (r.kind === 'flush') r.resolve(false);
      else r.reject(new WriteQueueError('retrying', lost, { cause: new Error(message) }));
    }
    this.requests.clear();
    this.onClosed?.();
  }
}
