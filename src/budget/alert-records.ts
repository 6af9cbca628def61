import { errorMessage } from '../lib/errors.js';
import { waitAtMost } from '../lib/wait-at-most.js';
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
  /**
   * The store's recordAlert (store/budgets.ts): true when this write stored the alert, false
   * when it was stored already (another replica's row, or a write whose answer was lost and
   * is retried here): stored all the same, nothing more to do.
   */
  write: (alert: AlertRecord) => Promise<boolean>;
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
 * `close` tries each once more and names those the store still did not take.
 */
export class AlertRecords {
  /** Alerts the store refused, oldest first, not yet stored. */
  private readonly held: AlertRecord[] = [];
  /** Writes in progress, with their alert. */
  private readonly writing = new Map<Promise<void>, AlertRecord>();
  private retry: ReturnType<typeof setTimeout> | undefined;
  /** True from a refused write until the store takes one again. */
  private failing = false;
  /** Set by `close`: no more retries; a refused write is named in the log instead of held. */
  private closed = false;

  constructor(private readonly o: AlertRecordsOptions) {}

  /**
   * Stores `alert`, held through an outage as above. After `close`: one attempt, named in
   * the log if refused. @returns the alert's claim, the first attempt's answer: true when it
   * stored the row, false when the row was there already (another replica's); it rejects
   * when that attempt was refused, or at once when earlier alerts are held (the store is
   * refusing), while the alert is held and written later all the same. Ignoring it is safe.
   */
  add(alert: AlertRecord): Promise<boolean> {
    let answer!: Answer;
    const claim = new Promise<boolean>((resolve, reject) => (answer = { resolve, reject }));
    claim.catch(() => {});
    if (this.held.length === 0 || this.closed) this.write(alert, () => this.hold(alert), answer);
    else {
      answer.reject(new Error(`${this.held.length} earlier budget alerts wait for the store`));
      this.hold(alert);
    }
    return claim;
  }

  /** Alerts not stored yet (held, or being written). */
  get pending(): number {
    return this.held.length + this.writing.size;
  }

  /**
   * At shutdown, after the last settle and before the store closes: stops retrying, tries
   * each held alert once more, waits for the writes in progress (at most CLOSE_WAIT_MS) and
   * names in the log each alert the store did not take. @returns how many were not stored.
   */
  async close(): Promise<number> {
    this.closed = true;
    clearTimeout(this.retry);
    this.retry = undefined;
    let refused = 0;
    for (const a of this.held.splice(0)) this.write(a, () => refused++);
    if (this.writing.size > 0) await waitAtMost(Promise.allSettled([...this.writing.keys()]), CLOSE_WAIT_MS);
    // Still unanswered: named now (a late answer is not logged again).
    const unanswered = [...this.writing.values()];
    this.writing.clear();
    for (const a of unanswered) this.o.log(notStored(a));
    return refused + unanswered.length;
  }

  /**
   * Writes `alert`; `refused` runs when the store refuses it (after `close`, the refusal is
   * also logged). `answer`, when given, gets the store's answer or refusal.
   */
  private write(alert: AlertRecord, refused: () => void, answer?: Answer): void {
    const done: Promise<void> = this.o.write(alert).then(
      (stored) => {
        answer?.resolve(stored);
        if (!this.writing.delete(done) || this.closed) return;
        if (this.failing) {
          this.failing = false;
          this.o.log(`the store takes budget alerts again (${this.held.length} still to store)`);
        }
        this.writeNextHeld();
      },
      (error: unknown) => {
        answer?.reject(error);
        if (!this.writing.delete(done)) return;
        if (this.closed) this.o.log(notStored(alert));
        else if (!this.failing) this.o.log(`could not store a budget alert (trying again every ${this.retryMs / 1000} s): ${errorMessage(error)}`);
        this.failing = true;
        refused();
      },
    );
    this.writing.set(done, alert);
  }

  /** Keeps `alert` to write after those held before it. */
  private hold(alert: AlertRecord): void {
    if (this.closed) return;
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
      if (this.closed) return;
      this.held.unshift(next);
      this.scheduleRetry();
    });
  }

  private get retryMs(): number {
    return this.o.retryMs ?? ALERT_STORE_RETRY_MS;
  }
}

/** Settles an alert's claim (AlertRecords.add). */
interface Answer {
  resolve: (stored: boolean) => void;
  reject: (error: unknown) => void;
}

/** The log line for an alert the store did not take before shutdown. */
function notStored(a: AlertRecord): string {
  return `budget alert not stored at shutdown (the store did not take it): ${describe(a)}`;
}

function describe(a: AlertRecord): string {
  return `${a.kind} budget ${a.budget}${a.tagValue === null ? '' : ` (${a.tagValue})`} at ${Math.round(a.threshold * 100)} %, fired ${new Date(a.firedAt).toISOString()}`;
}
