import type { NanoUsd } from '../lib/money.js';

/**
 * The stored forms of keys, budgets and their audit trail (tables keys, alerts,
 * budget_resets, key_events). Re-exported by types.ts, which most code imports.
 */

/** A metering key as stored (never the secret itself). */
export interface KeyRecord {
  id: number;
  name: string;
  /** First characters of the secret (`mk_Ab12`) so people can tell keys apart in lists. */
  prefix: string;
  /** SHA-256 hex of the full secret. */
  hash: string;
  tags: Record<string, string>;
  /** Allowed providers; empty = all. */
  providers: string[];
  /** Allowed models; empty = all. */
  models: string[];
  budget: KeyBudget | null;
  createdAt: number;
  revokedAt: number | null;
}

export type BudgetPeriod = 'day' | 'week' | 'month' | 'total';

export interface KeyBudget {
  limitNano: NanoUsd;
  period: BudgetPeriod;
  /** Fractions of the limit at which alerts fire, e.g. [0.5, 0.8, 1]. */
  alertAt: number[];
  /** Soft budgets alert but never block. */
  soft: boolean;
}

export interface NewKey {
  name: string;
  prefix: string;
  hash: string;
  tags?: Record<string, string>;
  providers?: string[];
  models?: string[];
  budget?: KeyBudget | null;
  createdAt: number;
}


/** The budget kinds as stored: a metering key's budget, or a tag budget (`budgets:`). */
export type StoredBudgetKind = 'key' | 'tag';

/** A budget alert that fired (table alerts). Money in nano-USD, times in ms. */
export interface AlertRecord {
  kind: StoredBudgetKind;
  /** Key name (key budgets) or `budgets:` entry name. */
  budget: string;
  /** The `per` tag value of the instance; null for key budgets and shared instances. */
  tagValue: string | null;
  /** The alert_at fraction crossed, e.g. 0.8. */
  threshold: number;
  period: BudgetPeriod;
  /** Start of the budget period the alert fired in. */
  periodStart: number;
  /**
   * ms the threshold was armed from: the period start, or the instance's last admin reset
   * in the period before the alert fired (a reset re-arms the thresholds). With kind,
   * budget, tagValue, periodStart, threshold and limitNano it identifies the alert: the
   * store keeps one row per identity (schema v20).
   */
  armedFrom: number;
  spentNano: NanoUsd;
  limitNano: NanoUsd;
  soft: boolean;
  firedAt: number;
}

/**
 * The definition serve last ran a budget with (table budget_limits), what a restart
 * compares its budgets with. Money in nano-USD, `seenAt` ms.
 */
export interface BudgetLimitRecord {
  kind: StoredBudgetKind;
  /** Key name (key budgets) or `budgets:` entry name. */
  budget: string;
  /** The tag budget's `per` tag key; null for key budgets and tag budgets without one. */
  per: string | null;
  limitNano: NanoUsd;
  period: BudgetPeriod;
  /** The alert thresholds as configured (fractions, in config order). */
  alertAt: number[];
  seenAt: number;
}

/** An operator cleared a budget period's spend (table budget_resets). */
export interface BudgetResetRecord {
  kind: StoredBudgetKind;
  budget: string;
  /** The instance reset; null with `allValues` false = the shared / `(none)` instance. */
  tagValue: string | null;
  /** Every instance of a `per` budget. */
  allValues: boolean;
  period: BudgetPeriod;
  periodStart: number;
  resetAt: number;
  by: KeyEventActor;
}

/** Who made a change to keys or budgets. */
export type KeyEventActor = 'cli' | 'admin' | 'config' | 'proxy';

/** One audit trail entry (table key_events). `details` is JSON-safe and never holds a secret. */
export interface KeyEvent {
  ts: number;
  actor: KeyEventActor;
  /** create, revoke, set, budget_reset, … */
  action: string;
  /** The key's name; the budget's name for tag budget events. */
  keyName: string;
  details: Record<string, unknown>;
}

/** Summed spend of one (key, tag set) over a time range; see BudgetStore.spendGroups. */
export interface SpendGroup {
  keyName: string | null;
  tags: Record<string, string>;
  /** Earliest call of the group, ms. */
  ts: number;
  costNano: NanoUsd;
}

