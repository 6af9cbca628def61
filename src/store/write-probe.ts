/**
 * The write probe of a record queue (write-queue.ts on SQLite, async-write-queue.ts on
 * PostgreSQL): it keeps the queue's health (and so `/healthz`) true to whether the store
 * takes writes now, also while no call arrives. Without it the health changed only when a
 * call's record was written: a store that turned read-only on an idle proxy looked fine
 * until the first call, and one that recovered looked failing until the next call.
 *
 * The probe itself (`run`) is the store's: a statement that needs a writable connection
 * and the write lock, rolled back, so it changes nothing and writes no byte to the
 * database (sqlite-write-probe.ts; pg/call-sink.ts for PostgreSQL). It runs off the hot
 * path, on an unref'ed timer, and only when no record tells more:
 * - while the store is thought writable: every `intervalMs`, unless a write succeeded since
 *   the last tick or records are waiting (their writes are the probe);
 * - while it is failing: at the queue's retry pace, unless records are waiting (their
 *   retries are the probe); the first probe that passes ends the failure streak.
 */

/** ms between probes while the store is thought writable, unless told otherwise. */
export const DEFAULT_PROBE_INTERVAL_MS = 5000;

/** The queue a WriteProbe watches over. */
export interface WriteProbeHost {
  /** True while records wait to be written (in memory or in flight): their writes tell the store's state. */
  busy(): boolean;
  /** True while writes are failing (the queue's `degraded`). */
  failing(): boolean;
  /** ms before the next probe while failing (the queue's retry pause). */
  retryMs(): number;
  /** The probe passed while the queue was failing and had nothing waiting: the failure streak ends. */
  passed(): void;
  /** The probe failed with `err`, with nothing waiting: the queue is failing from now on (reported once per streak). */
  failed(err: unknown): void;
}

/**
 * Runs a store's probe on its own schedule (see the module comment). At most one probe
 * runs at a time; the result of one overtaken by a write (or by records to write) is
 * dropped, since the write says more.
 */
export class WriteProbe {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private stopped = false;
  /** Writes that succeeded since the last tick (counted by `wrote`). */
  private writes = 0;

  constructor(
    /** Throws (or rejects) when the store cannot be written now. */
    private readonly run: () => void | Promise<void>,
    /** ms between probes while the store is thought writable. */
    private readonly intervalMs: number,
    private readonly host: WriteProbeHost,
  ) {
    this.arm();
  }

  /** A write succeeded: no probe is needed before the next tick. O(1), for the write path. */
  wrote(): void {
    this.writes++;
  }

  /** No more probes until `resume` (the queue is draining for shutdown: the store closes next). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Probes again after a `stop` (a record accepted after a drain). O(1) when running. */
  resume(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.arm();
  }

  private arm(): void {
    if (this.stopped || this.running || this.timer !== undefined) return;
    this.timer = setTimeout(this.tick, this.host.failing() ? this.host.retryMs() : this.intervalMs);
    this.timer.unref?.();
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    const wrote = this.writes;
    this.writes = 0;
    if (this.host.busy() || (wrote > 0 && !this.host.failing())) return this.arm();
    this.running = true;
    let result: void | Promise<void>;
    try {
      result = this.run();
    } catch (err) {
      return this.settle(false, err);
    }
    if (result instanceof Promise) result.then(() => this.settle(true), (err: unknown) => this.settle(false, err));
    else this.settle(true);
  };

  private settle(ok: boolean, err?: unknown): void {
    this.running = false;
    if (this.stopped) return;
    // A write that went through meanwhile, or records now waiting, tell more than this probe.
    if (this.writes === 0 && !this.host.busy()) {
      if (!ok) this.host.failed(err);
      else if (this.host.failing()) this.host.passed();
    }
    this.arm();
  }
}
