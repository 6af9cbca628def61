import type { NanoUsd } from '../lib/money.js';

/** What a watch is attached to (counter.ts BudgetCounter: its `watch` field). */
export interface Watched {
  watch: SpendWatch | null;
}

/**
 * The cost settled on a key's counter while its budget's new period window is read from
 * the store (budget/key-budget-sync.ts, a changed period): those calls are missing from the read
 * (their records are held back from the store until it is done), so the new window's
 * spend is the read's plus `nano`. Counts the calls admitted inside the window
 * [`start`, `end`) (ms, `Reservation.at`, as the store places a call by its start), at
 * the cost their counter took (after its reset rule). Integer nano-USD, >= 0.
 */
export class SpendWatch {
  nano: NanoUsd = 0;

  constructor(
    readonly start: number,
    readonly end: number,
    private readonly on: Watched,
  ) {
    on.watch = this;
  }

  /** A call admitted at `at` (ms) settled at `costNano` on the watched counter. */
  settled(at: number, costNano: NanoUsd): void {
    if (at >= this.start && at < this.end) this.nano += costNano;
  }

  /** Stops counting (idempotent). */
  stop(): void {
    if (this.on.watch === this) this.on.watch = null;
  }
}
