import { errorMessage } from '../lib/errors.js';
import type { AlertRecord } from '../store/types.js';

/**
 * ms between attempts to store the alerts a store refused. store/budgets.ts already waits out
 * a busy SQLite lock itself; what reaches here is an outage (PostgreSQL restarting or
 * unreachable, a full disk), which takes seconds to minutes to pass.
 */
export const ALERT_STORE_RETRY_MS = 5_000;

/** ms `close` waits for a write in progress (a busy lock is waited out for minutes by store/budgets.ts). */
const CLOSE_WAIT_MS = 1_000;

/** Alerts held at most while the store is down; beyond it the oldest is dropped (and logged). */
export const MAX_HELD_ALERTS = 1_000;

export interface AlertRecordsOptions {
  /** The store's recordAlert (store/budgets.ts). */
  write: (alert: AlertRecord) => Promise<void>;
  log: (line: string) => void;
  /** ms between attempts while the store refuses (default ALERT_STORE_RETRY_MS). */
  retryMs?: number;
}

/**
 * The budget alerts a proxy stores: each is written when it fires, and one the store refuses
 * is kept in memory and written again every `retryMs` (one at a time, oldest first) until the
 * store takes it, so an outage loses none (a restarted proxy reloads stored alerts to neither
 * repeat nor forget them). While alerts are held, new ones queue behind them. The first
 * failure of an outage is logged, and the recovery. Held alerts live in this process only:
 * `close` logs those a proxy stopped during the outage could not store.
 */
export class AlertRecords {
  /** Alerts the store refused, oldest first, not yet stored. */
  private readonly held: AlertRecord[] = [];
  /** Writes in progress. */
  private readonly writing = new Set<Promise<void>>();
  private retry: ReturnType<typeof setTimeout> | undefined;
  /** True from a refused write until the store takes one again. */
  private failing = false;
  private closed = false;

  constructor(private readonly o: AlertRecordsOptions) {}

  /** Stores `alert` (never rejects). */
  add(alert: AlertRecord): void {
    if (this.held.length === 0 && !this.closed) {
      this.write(alert, () => this.hold(alert));
      return;
    }
    this.hold(alert);
  }

  /** Alerts not stored yet (held, or being written). */
  get pending(): number {
    return this.held.length + this.writing.size;
  }

  /**
   * At shutdown, after the last settle and before the store closes: lets writes in progress
   * end (at most CLOSE_WAIT_MS), stops retrying and logs each alert still held. @returns how
   * many were not stored.
   */
  async close(): Promise<number> {
    this.closed = true;
    clearTimeout(this.retry);
    this.retry = undefined;
    if (this.writing.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([Promise.all(this.writing), new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
      clearTimeout(timer);
    }
    for (const a of this.held) this.o.log(`budget alert not stored at shutdown (the store did not take it): ${describe(a)}`);
    return this.held.length + this.writing.size;
  }

  /** Writes `alert`; `refused` runs when the store refuses it. */
  private write(alert: AlertRecord, refused: () => void): void {
    const done = this.o.write(alert).then(
      () => {
        this.writing.delete(done);
        if (this.failing) {
          this.failing = false;
          this.o.log(`the store takes budget alerts again (${this.held.length} still to store)`);
        }
        this.writeNextHeld();
      },
      (error: unknown) => {
        this.writing.delete(done);
        if (!this.failing) this.o.log(`could not store a budget alert (trying again every ${this.retryMs / 1000} s): ${errorMessage(error)}`);
        this.failing = true;
        refused();
      },
    );
    this.writing.add(done);
  }

  /** Keeps `alert` to write after those held before it. */
  private hold(alert: AlertRecord): void {
    if (this.held.length >= MAX_HELD_ALERTS) {
      const dropped = this.held.shift() as AlertRecord;
      this.o.log(`dropped a budget alert the store could not take (${MAX_HELD_ALERTS} held): ${describe(dropped)}`);
    }
    this.held.push(alert);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retry !== undefined || this.closed) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.writeNextHeld();
    }, this.retryMs);
    this.retry.unref?.();
  }

  /** Writes the oldest held alert when no write is in progress (each stored write calls this again); a refusal waits for the retry. */
  private writeNextHeld(): void {
    const next = this.held[0];
    if (next === undefined || this.closed || this.writing.size > 0) return;
    this.held.shift();
    this.write(next, () => {
      this.held.unshift(next);
      this.scheduleRetry();
    });
  }

  private get retryMs(): number {
    return this.o.retryMs ?? ALERT_STORE_RETRY_MS;
  }
}

function describe(a: AlertRecord): string {
  return `${a.kind} budget ${a.budget}${a.tagValue === null ? '' : ` (${a.tagValue})`} at ${Math.round(a.threshold * 100)} %, fired ${new Date(a.firedAt).toISOString()}`;
}
