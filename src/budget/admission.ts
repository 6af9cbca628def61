import type { NanoUsd } from '../lib/money.js';
import { clampNano, type BudgetCounter } from './counter.js';
import { blockInfo } from './counter-reports.js';
import type { Blocked, Reservation, ReserveRequest } from './reservation.js';
import type { BlockInfo } from './types.js';

/**
 * Budget admission: callers that do not fit only because of calls in flight WAIT instead
 * of being refused (issue #14; the rule itself is policy.ts `decide`).
 *
 * The rule, per budget instance (a BudgetCounter):
 * 1. A budget "holds back" a caller when the caller does not fit beside the calls in flight
 *    (`decide` says `wait`), or when a caller that arrived earlier waits in its queue.
 * 2. A caller waits in the queue of every budget that has held it back since it arrived
 *    (sticky), ordered by arrival. It is admitted when none of its budgets holds it back,
 *    refused (`budget_exceeded`) as soon as one of its budgets is spent, and answered
 *    `budget_busy` when `waitMs` runs out. A budget that never held it back is not blocked
 *    by it: one user's wait on a per-user budget does not stall the rest of their key.
 * 3. Waiters are decided again, head first, whenever a reservation on a budget they wait
 *    on settles, a waiter ahead of them leaves, or a budget changes (never by polling).
 *    Each re-decision re-estimates the call (the output history may have learned).
 *
 * Fairness: per budget, no later caller is admitted while an earlier caller that budget
 * holds back is waiting, so a big call cannot be starved by a stream of small ones.
 * Stickiness keeps a caller of several budgets from ping-ponging between them: once a
 * budget held it back, later callers queue behind it there.
 *
 * No deadlock: waiters hold nothing (no reservation until admitted), and a waiter is only
 * ever held back by calls in flight (which settle on their own) or by waiters that arrived
 * earlier. The earliest waiter E is therefore held back by calls in flight only; new calls
 * cannot join a budget E waits on; every other budget of E that fills up joins E's set at
 * the next decision, so after at most (number of E's budgets) rounds none of them admits
 * anyone before E, their reservations drain, and rule 2 or 3 of `decide` admits E (or
 * rule 1 refuses it). By induction on arrival order every waiter ends, well within its
 * bound when calls in flight end. A client that disconnects leaves every queue at once.
 *
 * Shutdown (`close`): no waiter is admitted any more. A call admitted during the grace
 * period would be sent upstream and, if it outlived the grace, cut at its end while the
 * provider still runs and bills it. Every waiter is answered `closed` at once, and so is
 * every later caller that would wait; callers that fit at once are still admitted.
 */

/** The answer to a waiting caller whose client went away. */
export interface Aborted {
  readonly ok: false;
  readonly aborted: true;
}

export const ABORTED: Aborted = Object.freeze({ ok: false, aborted: true });

/** The answer to a caller still waiting when the proxy began to shut down: never admitted; `blocked` is the budget that held it back. */
export interface Closed {
  readonly ok: false;
  readonly closed: true;
  readonly blocked: BlockInfo;
}

/** How a wait ends: admitted, refused (`blocked.reason` exhausted = spent cap, reserved = the wait ran out), aborted, or closed (shutdown). */
export type WaitResult = Reservation | Blocked | Aborted | Closed;

export interface WaitOptions {
  /** The client's signal: an abort removes the caller from every queue at once. */
  signal?: AbortSignal;
  /** Longest wait, ms (> 0; Infinity = no bound). */
  waitMs: number;
  /** The call's estimate again, nano-USD, called before each new decision; default: the first estimate. */
  reestimate?: () => NanoUsd;
}

/** What admission needs from the ledger. */
export interface AdmissionHost {
  clock(): number;
  /** The counters a call counts against, rolled to `at`; null when none. */
  countersFor(request: ReserveRequest, at: number): BudgetCounter[] | null;
  /** Holds `estimateNano` on every counter and returns the reservation. */
  hold(request: ReserveRequest, counters: BudgetCounter[] | null, estimateNano: NanoUsd, at: number): Reservation;
}

/** One caller waiting for room. */
class Waiter {
  /** Budgets whose queue holds this waiter. */
  readonly queues: BudgetCounter[] = [];
  /** The budget that held it back at the last decision (named in `budget_busy`). */
  holder: BudgetCounter | null = null;
  done = false;
  resolve: (result: WaitResult) => void = () => {};
  timer: ReturnType<typeof setTimeout> | null = null;
  onAbort: (() => void) | null = null;

  constructor(
    /** Arrival order: smaller arrived earlier. */
    readonly seq: number,
    readonly request: ReserveRequest,
    public estimateNano: NanoUsd,
    readonly options: WaitOptions,
  ) {}
}

/** The callers one budget holds back, in arrival order. */
class WaitQueue {
  private readonly items: Waiter[] = [];

  get size(): number {
    return this.items.length;
  }

  get head(): Waiter | undefined {
    return this.items[0];
  }

  /** Arrival number of the earliest waiter; Infinity when none. */
  firstSeq(): number {
    return this.items.length === 0 ? Infinity : this.items[0]!.seq;
  }

  insert(w: Waiter): void {
    let i = this.items.length;
    while (i > 0 && this.items[i - 1]!.seq > w.seq) i--;
    this.items.splice(i, 0, w);
  }

  remove(w: Waiter): void {
    const i = this.items.indexOf(w);
    if (i >= 0) this.items.splice(i, 1);
  }

  /** Every waiter, earliest first (a copy). */
  list(): Waiter[] {
    return [...this.items];
  }
}

/** The admission queues of one ledger. Synchronous except for the promises it hands out. */
export class Admission {
  private arrivals = 0;
  /** The queue of each budget with at least one waiter (its `waiting` mirrors the size). */
  private readonly queues = new Map<BudgetCounter, WaitQueue>();
  /** Set by `close`: nobody waits any more. */
  private closed = false;

  constructor(private readonly host: AdmissionHost) {}

  /** Callers waiting in all queues (each counted once). */
  get waiters(): number {
    const seen = new Set<Waiter>();
    for (const q of this.queues.values()) for (const w of q.list()) seen.add(w);
    return seen.size;
  }

  /**
   * Queues a caller that a budget holds back (ledger.reserve answered `reserved`) and
   * resolves when it is admitted, refused or aborted. Decides once more right away (the
   * caller may already fit, e.g. after a re-estimate).
   */
  wait(request: ReserveRequest, estimateNano: NanoUsd, options: WaitOptions): Promise<WaitResult> {
    if (options.signal?.aborted) return Promise.resolve(ABORTED);
    const w = new Waiter(++this.arrivals, request, estimateNano, options);
    return new Promise<WaitResult>((resolve) => {
      w.resolve = resolve;
      if (this.decide(w)) return;
      if (this.closed) return void this.finish(w, this.closedAnswer(w));
      if (Number.isFinite(options.waitMs)) {
        w.timer = setTimeout(() => this.expire(w), Math.max(1, options.waitMs));
        (w.timer as { unref?: () => void }).unref?.();
      }
      const signal = options.signal;
      if (signal !== undefined) {
        w.onAbort = () => this.wake(this.finish(w, ABORTED));
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
    });
  }

  /**
   * Shutdown: answers every waiter `closed` now, and from now on every caller that would
   * wait as soon as it arrives. Nobody is woken: no waiter is admitted after this. Idempotent.
   */
  close(): void {
    this.closed = true;
    const waiters = new Set<Waiter>();
    for (const q of this.queues.values()) for (const w of q.list()) waiters.add(w);
    for (const w of waiters) this.finish(w, this.closedAnswer(w));
  }

  /** Re-decides the waiters of these budgets, head first, until each head stays held back. */
  wake(counters: Iterable<BudgetCounter>): void {
    const work: BudgetCounter[] = [];
    for (const c of counters) if (c.waiting > 0) work.push(c);
    while (work.length > 0) {
      const c = work.pop()!;
      for (let head = this.queues.get(c)?.head; head !== undefined; head = this.queues.get(c)?.head) {
        const queues = [...head.queues];
        if (!this.decide(head)) break;
        for (const q of queues) if (q !== c && q.waiting > 0) work.push(q);
      }
    }
  }

  /** Re-decides every waiter (after budgets changed). */
  wakeAll(): void {
    this.wake([...this.queues.keys()]);
  }

  /** A budget went away (removed, or replaced by a new definition): its waiters are decided again without it. */
  dissolve(counter: BudgetCounter): void {
    const queue = this.queues.get(counter);
    if (queue === undefined) return;
    this.queues.delete(counter);
    counter.waiting = 0;
    for (const w of queue.list()) {
      w.queues.splice(w.queues.indexOf(counter), 1);
      const others = [...w.queues];
      if (this.decide(w)) this.wake(others);
    }
  }

  /**
   * Decides a waiter against its budgets now. @returns true when it finished (admitted or
   * refused: the caller wakes the queues it was in); false when it still waits (then it
   * has joined the queue of every budget that holds it back).
   */
  private decide(w: Waiter): boolean {
    const at = this.host.clock();
    if (w.options.reestimate !== undefined) w.estimateNano = clampNano(w.options.reestimate());
    const est = w.estimateNano;
    const counters = this.host.countersFor(w.request, at);
    let refusing: BudgetCounter | null = null;
    let holders: BudgetCounter[] | null = null;
    for (const c of counters ?? []) {
      if (c.soft) continue;
      const d = c.decide(est);
      if (d === 'block') {
        if (refusing === null || c.periodEnd > refusing.periodEnd) refusing = c;
      } else if (d === 'wait' || (c.waiting > 0 && this.queues.get(c)!.firstSeq() < w.seq)) {
        (holders ??= []).push(c);
      }
    }
    if (refusing !== null) {
      this.finish(w, { ok: false, blocked: blockInfo(refusing, est, at) });
      return true;
    }
    if (holders === null) {
      this.finish(w, this.host.hold(w.request, counters, est, at));
      return true;
    }
    for (const h of holders) {
      if (w.queues.includes(h)) continue;
      let queue = this.queues.get(h);
      if (queue === undefined) this.queues.set(h, (queue = new WaitQueue()));
      queue.insert(w);
      h.waiting = queue.size;
      w.queues.push(h);
    }
    w.holder = holders[0]!;
    return false;
  }

  /** The wait ran out: admitted if it fits by now, refused if a budget is spent, else `budget_busy` (reason `reserved`). */
  private expire(w: Waiter): void {
    if (w.done) return;
    const queues = [...w.queues];
    if (this.decide(w)) return this.wake(queues);
    this.wake(this.finish(w, { ok: false, blocked: this.holderBlock(w) }));
  }

  /**
   * The BlockInfo of the budget that held `w` back at its last decision, for its refusal:
   * `waiting` counts the OTHER callers in that budget's queue (w is still in it here, and is
   * the call being refused, not one waiting beside it).
   */
  private holderBlock(w: Waiter): BlockInfo {
    const holder = w.holder!;
    const block = blockInfo(holder, w.estimateNano, this.host.clock());
    const self = this.queues.get(holder)?.list().includes(w) === true ? 1 : 0;
    return { ...block, waiting: Math.max(0, holder.waiting - self) };
  }

  /** The `closed` answer of a waiter, naming the budget that held it back at its last decision. */
  private closedAnswer(w: Waiter): Closed {
    return { ok: false, closed: true, blocked: this.holderBlock(w) };
  }

  /** Ends a wait: leaves every queue, stops its timer and abort listener, resolves. @returns the budgets it left. */
  private finish(w: Waiter, result: WaitResult): BudgetCounter[] {
    w.done = true;
    const left = w.queues.splice(0);
    for (const c of left) {
      const queue = this.queues.get(c);
      if (queue === undefined) continue;
      queue.remove(w);
      c.waiting = queue.size;
      if (queue.size === 0) this.queues.delete(c);
    }
    if (w.timer !== null) clearTimeout(w.timer);
    if (w.onAbort !== null) w.options.signal?.removeEventListener('abort', w.onAbort);
    w.resolve(result);
    return left;
  }
}
