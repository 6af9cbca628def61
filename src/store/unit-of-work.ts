import type { AlertRecord, BudgetLimitRecord, BudgetResetRecord, KeyEvent, KeyRecord, NewKey, SpendGroup } from './records.js';
import type { BudgetTarget, InstanceCost, InstanceSpend, PeriodBounds, PeriodInstanceSpend } from './budget-reads.js';
import type { NanoUsd } from '../lib/money.js';

/**
 * The store modules that write keys, their audit trail and budgets: what a unit of work
 * (Store.unitOfWork) writes through inside one transaction, and what the Store exposes as
 * `keys`, `history` and `budgets`. Re-exported by types.ts, which most code imports.
 */

/** The modules a unit of work writes through, all inside its transaction. */
export interface UnitOfWork {
  readonly keys: KeyStore;
  readonly history: KeyHistory;
  readonly budgets: BudgetStore;
}

/** Fields of a key to change; absent fields are kept, `budget: null` removes the budget. */
export type KeyPatch = Partial<Pick<KeyRecord, 'tags' | 'providers' | 'models' | 'budget'>>;

/** Metering keys (store/keys.ts). Never the secret: its prefix and SHA-256 only. */
export interface KeyStore {
  /** @throws KeyExistsError when another key (revoked or not) has the name or the hash. */
  create(key: NewKey): Promise<KeyRecord>;
  /** Active keys (with `includeRevoked`, every key), oldest first. */
  list(options?: { includeRevoked?: boolean }): Promise<KeyRecord[]>;
  byName(name: string): Promise<KeyRecord | undefined>;
  /**
   * Inside a unit of work: holds the key's row until it ends, so a change merged with the
   * key as read next is not overwritten by another process's (PostgreSQL: FOR UPDATE; on
   * SQLite the unit of work's write transaction holds the whole database already).
   */
  lock(name: string): Promise<void>;
  /** Also revoked keys (revokedAt set); the caller decides what a revoked key gets. */
  byHash(hash: string): Promise<KeyRecord | undefined>;
  /** @returns false when there is no active key of that name (the first revocation time is kept). */
  revoke(name: string, at: number): Promise<boolean>;
  /** @returns the key after the change; undefined when no key has that name. */
  update(name: string, patch: KeyPatch): Promise<KeyRecord | undefined>;
}

/** The audit trail of keys and budgets (store/history.ts, table key_events). */
export interface KeyHistory {
  append(event: KeyEvent): Promise<void>;
  /** Oldest first; only `keyName`'s entries when given; the newest `limit` when given. */
  list(options?: { keyName?: string; limit?: number }): Promise<Array<KeyEvent & { id: number }>>;
}

/** Budget alerts, resets and spend (store/budgets.ts, store/read/budgets.ts). */
export interface BudgetStore {
  /**
   * Stores one fired alert, unless a row of the same alert is there already (same kind,
   * budget, tagValue, periodStart, threshold, limitNano and armedFrom: a retried write, or
   * another replica's): that row is kept as it is. @returns true when this write stored it.
   */
  recordAlert(alert: AlertRecord): Promise<boolean>;
  /** Alerts whose period started at or after `periodStartFrom` (default 0), oldest first; at most `limit` (newest kept). */
  alerts(options?: { periodStartFrom?: number; limit?: number }): Promise<AlertRecord[]>;
  recordReset(reset: BudgetResetRecord): Promise<void>;
  /** Resets made at or after `since` (ms), oldest first. */
  resets(since: number): Promise<BudgetResetRecord[]>;
  /** The definition serve last ran each budget with (store/budget-limits.ts). */
  budgetLimits(): Promise<BudgetLimitRecord[]>;
  /** In one transaction: stores `records` (replacing the rows of the same kind and budget) and deletes the rows of `forget`. */
  recordBudgetLimits(records: readonly BudgetLimitRecord[], forget: ReadonlyArray<Pick<BudgetLimitRecord, 'kind' | 'budget'>>): Promise<void>;
  /** The newest reprice change (reprice_spend id) serve's budgets had applied; null when none was recorded (budget/restart-reprices.ts). */
  repricesSeen(): Promise<number | null>;
  /** Records that the budgets hold every reprice change up to `changeId` (at `at` ms); a lower id than the stored one leaves it. */
  recordRepricesSeen(changeId: number, at: number): Promise<void>;
  /**
   * Spend of calls with `since <= ts < until` and a cost > 0, summed per (key, tag set):
   * what the budget ledger is rebuilt from at start. `ts` is the group's earliest call.
   */
  spendGroups(since: number, until: number): Promise<SpendGroup[]>;
  /** Spend of the target's calls with `from <= ts < to`: one entry per instance that has calls. */
  spend(target: BudgetTarget, from: number, to: number): Promise<InstanceSpend[]>;
  /**
   * The current period's spend after resets: each instance counts its calls from the
   * period start, or from its latest reset in this period (read/budgets.ts spendStart).
   * Key budgets and shared tag budgets give one entry (zeros when idle); a `per` budget
   * gives the instances that spent something in the period, most spent first (`top` kept).
   * A period that began before rawCallsSince() adds prunedSpend to `costNano` (`calls` and
   * tokens count the raw calls only). Each entry says where it counts from (`countsFrom`),
   * from the same read of the resets as its spend.
   */
  periodSpend(target: BudgetTarget, bounds: PeriodBounds, options?: { top?: number }): Promise<PeriodInstanceSpend[]>;
  /**
   * From when raw calls are complete, ms (rollup_state.raw_since: retention pruned the
   * calls before it, keeping their sums in rollups and entity rows); 0 when nothing was pruned.
   */
  rawCallsSince(): Promise<number>;
  /**
   * The current period's spend after resets (as periodSpend) of the calls with ts < `until`
   * (at most rawCallsSince()), read from the sums retention keeps, per instance that spent
   * something: never less than those calls spent, exact in the cases read/pruned-spend.ts
   * lists. What `total` budgets keep of calls retention pruned.
   */
  prunedSpend(target: BudgetTarget, bounds: PeriodBounds, until: number): Promise<InstanceCost[]>;
  /**
   * When one instance's spend reached `limitNano` (nano-USD): the ts of the call whose cost
   * brought the running sum of the instance's calls with `from <= ts < to` (in ts, then id,
   * order) to it; `tagValue` picks the instance of a `per` budget (null: the calls lacking
   * the tag) and is ignored otherwise. Null when those calls never reach it, or when `from`
   * is before rawCallsSince() (the pruned calls' order is not kept). `from` is where the
   * instance's spend counts from (periodSpend's countsFrom).
   */
  capReachedAt(target: BudgetTarget, tagValue: string | null, from: number, to: number, limitNano: NanoUsd): Promise<number | null>;
}
