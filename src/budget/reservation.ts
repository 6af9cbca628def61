import type { NanoUsd } from '../lib/money.js';
import type { BudgetCounter } from './counter.js';
import type { BlockInfo } from './types.js';

/** What the proxy knows about a call before forwarding it. */
export interface ReserveRequest {
  /** Metering key name; null when the call has no key (then only tag budgets apply). */
  keyName: string | null;
  /** Effective tags (fixed key tags already applied over request tags). */
  tags: Readonly<Record<string, string>>;
  /** Estimated cost in nano-USD (estimate.ts), >= 0. */
  estimateNano: NanoUsd;
  /**
   * The model whose output history this call's settle teaches (gate.ts): the model asked
   * for when the client set no max output (a capped output says nothing about an uncapped
   * one); null or absent otherwise.
   */
  historyModel?: string | null;
  /**
   * Answers the call asks for (`n`; absent = 1). Providers report output summed over all
   * answers; the history keeps the largest output of one answer, so the settle divides by it.
   */
  historyChoices?: number;
}

/**
 * An admitted call's hold on every budget it counts against. Settle it exactly once, in
 * a `finally`, also when the call fails or the client aborts: a leaked reservation keeps
 * `reservedNano > 0`, which makes its budgets stricter until the period ends (and keeps
 * callers waiting on them until their wait runs out).
 */
export class Reservation {
  readonly ok = true;
  /** True after the first settle; later settles are no-ops. */
  settled = false;
  constructor(
    /** @internal Counters reserved on. */
    readonly counters: readonly BudgetCounter[],
    /** @internal Each counter's epoch at reservation (detects a period roll before settle). */
    readonly epochs: readonly number[],
    /** Estimate held on each counter, nano-USD. */
    readonly estimateNano: NanoUsd,
    /** When the call was admitted, ms. */
    readonly at: number,
    /** The call's metering key (ReserveRequest.keyName). */
    readonly keyName: string | null,
    /** ReserveRequest.historyModel: the model whose output history the settle teaches, or null. */
    readonly historyModel: string | null,
    /** ReserveRequest.historyChoices (>= 1): the settled output is divided by it before the history learns it. */
    readonly historyChoices: number = 1,
  ) {}
}

/** The reservation of a call no budget applies to: it holds nothing, and settling it does nothing. */
export const NO_BUDGET = new Reservation([], [], 0, 0, null, null);

/**
 * Holds an admitted call's estimate `est` (nano-USD) on each of its counters, admitted at
 * `at` (ms): the Reservation its settle releases (each counter's epoch noted, so a settle
 * after a period roll leaves the new period alone).
 */
export function holdEstimate(request: ReserveRequest, counters: readonly BudgetCounter[], est: NanoUsd, at: number): Reservation {
  const epochs = new Array<number>(counters.length);
  for (let i = 0; i < counters.length; i++) {
    const c = counters[i]!;
    c.hold(est);
    epochs[i] = c.epoch;
  }
  return new Reservation(counters, epochs, est, at, request.keyName, request.historyModel ?? null, Math.max(1, request.historyChoices ?? 1));
}

/** Returned by `reserve` when some hard budget refuses the call. */
export interface Blocked {
  readonly ok: false;
  readonly blocked: BlockInfo;
}

export type ReserveResult = Reservation | Blocked;
