import type { CallRecord, RecordWriter } from './types.js';

/** A hold on a writer's records (HoldingWriter.hold). */
export interface WriteHold {
  /**
   * Resolves once every record accepted before the hold is written (the inner writer's
   * flush: false when some still wait because the store is failing). Never rejects.
   */
  readonly written: Promise<boolean>;
  /** Lets the records held back go on to the writer, in order. Idempotent. */
  release(): void;
}

export interface HoldingWriterOptions {
  /** Most records held back at once; past it every hold is let go (default 10 000). */
  maxHeld?: number;
}

/**
 * A RecordWriter (the proxy's write queue) that can hold records back, so that a read of
 * the store sees exactly the calls recorded before a moment: `hold()` is that moment.
 * Every record accepted before it is written first (`written`), and those accepted from
 * then on wait here, in acceptance order, until `release()`; a read between the two sees
 * the former and none of the latter (budget/key-budget-sync.ts reads a key's spend in a new
 * period window so, and counts the calls that settle meanwhile in memory).
 *
 * Invariants: records reach the inner writer in acceptance order; a record accepted
 * while a hold is on stays here until every hold begun before it is released; none is
 * lost (`drain` lets everything go first). Holds may overlap: a later hold's `written`
 * waits for the earlier holds to let their records go. More than `maxHeld` records held
 * (a read that takes too long) lets every hold go at once: those reads may then see some
 * of the calls recorded after their moment, counted twice by their callers, never lost.
 */
export class HoldingWriter implements RecordWriter {
  /** Records held back, in acceptance order, with their acceptance numbers. */
  private held: Array<{ seq: number; record: CallRecord }> = [];
  /** Records accepted so far. */
  private accepted = 0;
  /** The acceptance count at each hold still on, ascending. */
  private holds: number[] = [];
  /** Waiting for the records accepted up to `seq` to go on. */
  private waiters: Array<{ seq: number; resolve: () => void }> = [];
  private closing = false;
  private readonly maxHeld: number;

  constructor(
    /** The writer records go on to. */
    readonly inner: RecordWriter,
    options: HoldingWriterOptions = {},
  ) {
    this.maxHeld = options.maxHeld ?? 10_000;
  }

  enqueue(record: CallRecord): boolean {
    const seq = ++this.accepted;
    if (this.holds.length === 0) return this.inner.enqueue(record);
    this.held.push({ seq, record });
    if (this.held.length > this.maxHeld) this.letGo();
    return true;
  }

  /** Holds back the records accepted from now on (see the class comment). */
  hold(): WriteHold {
    if (this.closing) return { written: this.inner.flush(), release: () => {} };
    const seq = this.accepted;
    this.holds.push(seq);
    let released = false;
    return {
      written: this.passed(seq).then(() => this.inner.flush()),
      release: () => {
        if (released) return;
        released = true;
        const i = this.holds.indexOf(seq);
        if (i >= 0) this.holds.splice(i, 1);
        this.pass();
      },
    };
  }

  /** See RecordWriter.flush: records held back count as not yet left (it waits for their release). */
  async flush(): Promise<boolean> {
    await this.passed(this.accepted);
    return this.inner.flush();
  }

  /** Lets every held record go, then drains the inner writer (shutdown: holds end here). */
  drain(): Promise<void> {
    this.closing = true;
    this.letGo();
    return this.inner.drain();
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }

  get degraded(): boolean {
    return this.inner.degraded;
  }
  get full(): boolean {
    return this.inner.full;
  }
  get pending(): number {
    return this.inner.pending + this.held.length;
  }
  get spilled(): number {
    return this.inner.spilled;
  }
  get refused(): number {
    return this.inner.refused;
  }

  /** Ends every hold and lets every record go. */
  private letGo(): void {
    this.holds = [];
    this.pass();
  }

  /** Passes on the held records no hold still on was begun before, and wakes who waited for them. */
  private pass(): void {
    const limit = this.holds.length === 0 ? Infinity : this.holds[0]!;
    let n = 0;
    while (n < this.held.length && this.held[n]!.seq <= limit) this.inner.enqueue(this.held[n++]!.record);
    if (n > 0) this.held.splice(0, n);
    const through = this.held.length === 0 ? this.accepted : this.held[0]!.seq - 1;
    if (!this.waiters.some((w) => w.seq <= through)) return;
    const ready = this.waiters.filter((w) => w.seq <= through);
    this.waiters = this.waiters.filter((w) => w.seq > through);
    for (const w of ready) w.resolve();
  }

  /** Resolves once every record accepted up to `seq` has gone on to the inner writer. */
  private passed(seq: number): Promise<void> {
    if (this.held.length === 0 || this.held[0]!.seq > seq) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ seq, resolve }));
  }
}
