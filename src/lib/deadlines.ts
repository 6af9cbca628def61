import { monotonicMs } from './clock.js';

/** One pending deadline of a Deadlines queue; pass it back to `cancel`. */
export interface Deadline {
  /** monotonicMs() at which it expires. */
  readonly at: number;
}

interface Entry extends Deadline {
  onExpire: (() => void) | null;
  prev: Entry | null;
  next: Entry | null;
}

/**
 * Many timeouts of one fixed length on one timer: deadlines expire in the order they
 * were added, so they form a list sorted by expiry, and one timer armed for the oldest
 * covers them all. Adding and cancelling only link and unlink an entry (no timer call,
 * no promise), where a setTimeout + clearTimeout per call costs a native timer each
 * time. When the oldest is cancelled the timer stays as it is and, on firing, re-arms
 * for the new oldest. `onExpire` runs once, at `ms` after `add` or a little later.
 */
export class Deadlines {
  private first: Entry | null = null;
  private last: Entry | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** `ms`: the timeout every deadline of this queue gets. */
  constructor(readonly ms: number) {}

  add(onExpire: () => void): Deadline {
    const entry: Entry = { at: monotonicMs() + this.ms, onExpire, prev: this.last, next: null };
    if (this.last) this.last.next = entry;
    else this.first = entry;
    this.last = entry;
    if (this.timer === null) this.arm(this.ms);
    return entry;
  }

  /**
   * `read` with this queue's timeout: settles as `read` settles, unless the deadline passes
   * first, then rejects with what `onExpire` returns. A failed read rejects with
   * `onError(reason)` (default: the reason as is). The deadline is cancelled either way.
   */
  race<T>(read: Promise<T>, onExpire: () => unknown, onError: (reason: unknown) => unknown = (reason) => reason): Promise<T> {
    return new Promise((resolve, reject) => {
      const deadline = this.add(() => reject(onExpire()));
      read.then(
        (value) => {
          this.cancel(deadline);
          resolve(value);
        },
        (reason: unknown) => {
          this.cancel(deadline);
          reject(onError(reason));
        },
      );
    });
  }

  /** The deadline no longer applies (what it guarded finished). Idempotent. */
  cancel(deadline: Deadline): void {
    const entry = deadline as Entry;
    if (entry.onExpire === null) return;
    entry.onExpire = null;
    this.unlink(entry);
  }

  private unlink(entry: Entry): void {
    if (entry.prev) entry.prev.next = entry.next;
    else this.first = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.last = entry.prev;
    entry.prev = entry.next = null;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(this.fire, Math.max(0, ms));
    // Pending deadlines alone never keep the process alive.
    (this.timer as { unref?: () => void }).unref?.();
  }

  private readonly fire = (): void => {
    this.timer = null;
    try {
      const now = monotonicMs();
      while (this.first !== null && this.first.at <= now) {
        const entry = this.first;
        const onExpire = entry.onExpire;
        entry.onExpire = null;
        this.unlink(entry);
        onExpire?.();
      }
    } finally {
      // Re-armed even when a callback threw, so the later deadlines still expire.
      if (this.first !== null && this.timer === null) this.arm(this.first.at - monotonicMs());
    }
  };
}

/**
 * A Deadlines queue per timeout length, made on first use: the upstream clients time
 * each call by its provider's timeouts, which take a few distinct lengths.
 */
export function deadlinesByLength(): (ms: number) => Deadlines {
  const queues = new Map<number, Deadlines>();
  return (ms) => {
    let queue = queues.get(ms);
    if (!queue) queues.set(ms, (queue = new Deadlines(ms)));
    return queue;
  };
}
