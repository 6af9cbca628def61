import type { LeaseSyncResult } from '../store/budget-leases.js';

/** A known spend read from the row longer ago than this (ms) is read again before it refuses a call. */
const FRESH_MS = 1000;

/**
 * The lease of one budget instance as the shared row last granted it to this replica
 * (lease-share.ts LeaseShare: one per share, made with it), and how far this replica
 * may rely on it now: how much of the lease it may use, whether a refusal on the spend is
 * true (`fresh`), and whether refusals lately keep the row watched. Amounts are nano-USD,
 * times monotonic ms (ShareHost.now). Only its methods and the share's admin reset
 * (`rowSpent`) change it.
 */
export class LeaseGrant {
  /** ℓ_i as last granted (0: none). */
  lease = 0;
  /** The row's spend at the last answer (0 when that answer predates a reset made here, or after a reset here). */
  rowSpent = 0;
  /** Replicas holding a lease on the row at the last answer (>= 1). */
  holders = 1;
  /** The row was contended at the last answer (a `short` answer marks it for a while). */
  contended = false;
  /** The limit the lease was granted under (the one its sync sent). */
  private limitNano = 0;
  /** The lease is usable until then: the row's expiry less this replica's safety margin. */
  private validUntil = -Infinity;
  /** When the last sync that got an answer was sent. */
  private syncedAt = -Infinity;
  /** While a sync is on the wire: the most of the lease this replica may use (`capUntilAnswer`); Infinity otherwise. */
  private cap = Infinity;
  /** When a call was last refused on a fresh spend for the spent cap (noted at most once a second). */
  private refusedAt = -Infinity;

  /** The lease as granted and still valid at `at`: 0 once lapsed, less what the limit (`limitNano` now) was lowered by since its grant. */
  now(at: number, limitNano: number): number {
    if (at >= this.validUntil) return 0;
    return Math.max(0, this.lease - Math.max(0, this.limitNano - limitNano));
  }

  /** What admission may use of the lease at `at`: `now`, and while a sync is on the wire at most its cap. */
  usable(at: number, limitNano: number): number {
    return Math.min(this.now(at, limitNano), this.cap);
  }

  /** A sync is sent: until an answer is taken, at most `capNano` of the lease is used (lease-policy.ts syncRequest `localCapNano`). A failed sync keeps it. */
  capUntilAnswer(capNano: number): void {
    this.cap = capNano;
  }

  /** The spend known here was read from the shared row within the last second before `at` (a refusal on it is true). */
  fresh(at: number): boolean {
    return at - this.syncedAt <= FRESH_MS;
  }

  /** A call was refused at `at` for the spent cap. @returns true when the row is to be watched again from now (at most once a second). */
  noteRefusal(at: number): boolean {
    if (this.refusedAt >= at - 1000) return false;
    this.refusedAt = at;
    return true;
  }

  /** A call was refused within 10 s before `at`: the heartbeat keeps reading the row (a reset or a raised cap elsewhere frees it). */
  refusedLately(at: number): boolean {
    return this.refusedAt > at - 10_000;
  }

  /**
   * Takes the answer to the sync sent at `sentAt` under `limitNano`, usable until
   * `validUntil`. `behind`: the answer predates a reset made here, so its spend is not taken.
   */
  take(result: LeaseSyncResult, limitNano: number, sentAt: number, validUntil: number, behind: boolean): void {
    this.lease = result.leaseNano;
    this.limitNano = limitNano;
    this.rowSpent = behind ? 0 : result.spentNano;
    this.holders = Math.max(1, result.holders);
    this.contended = result.contended;
    this.validUntil = validUntil;
    this.syncedAt = sentAt;
    this.cap = Infinity;
  }

  /** The period rolled: the old one's lease and row spend are void here (holders, the grant's limit and `syncedAt` are kept). */
  endPeriod(): void {
    this.lease = 0;
    this.rowSpent = 0;
    this.contended = false;
    this.validUntil = -Infinity;
  }
}
