import type { Usage } from '../providers/types.js';

/**
 * The records of price snapshots and repricing (schema v8), and the PriceStore that reads
 * and writes them (price-store.ts). Times in ms since the epoch (UTC), money integer nano-USD.
 */

/** A catalog snapshot to store (price_snapshots, schema v8). Times ms since the epoch. */
export interface NewPriceSnapshot {
  /** Where it was fetched from: a URL or a file path. */
  origin: string;
  fetchedAt: number;
  /** SHA-256 of `data`, lower-case hex. */
  sha256: string;
  providers: number;
  models: number;
  /** Stored with --force past the change limits. */
  forced: boolean;
  /** The catalog data as fetched (genai-prices published JSON). */
  data: string;
}

/** A stored snapshot without its data. Higher ids are newer; the highest is in force. */
export interface PriceSnapshotInfo extends Omit<NewPriceSnapshot, 'data'> {
  id: number;
}

export interface PriceSnapshotRecord extends PriceSnapshotInfo {
  data: string;
}

/** A stored call with known usage, as repricing sees it. */
export interface RepriceCall {
  id: number;
  ts: number;
  keyName: string | null;
  provider: string;
  endpoint: string;
  /** COALESCE(model, model_requested). */
  model: string;
  /** The stored usage as call-row-reader.ts usageFromRow reads it (every count stored, and the service tier). */
  usage: Usage;
  /** reported or estimated (calls with unknown usage have no tokens and are never repriced); kept as is. */
  usageSource: string;
  costNano: number | null;
  priceSource: string | null;
  tags: Readonly<Record<string, string>>;
  /** The stored `error` column (why usage is estimated, what a lower-bound cost leaves out…); null when none. */
  error: string | null;
}

/**
 * The price in force now for a call; null = no price now (the call is left as it is).
 * `error`, when given, is the call's `error` column at that price (cli/prices-reprice.ts: the
 * pricer's notes of the new cost, service tier and advisors, in place of the stored ones;
 * pricing/price-notes.ts); absent: the column is kept.
 */
export type RepricePrice = (call: RepriceCall) => { costNano: number; priceSource: string; error?: string | null } | null;

export interface RepriceOptions {
  /** Calls with since ≤ ts < until. */
  since: number;
  until: number;
  /** Only calls whose model (as stored) equals this; a trailing `*` matches a prefix. */
  model?: string | null;
  /** Compute and report, write nothing. */
  dryRun?: boolean;
  /** Who runs it (audit row). */
  actor: string;
  clock: () => number;
  /** The price sources in force, for the audit row (e.g. `config, overrides, genai-prices@0.1.8`). */
  prices: string;
  price: RepricePrice;
  /** Calls per batch (one transaction each). Default 500. */
  batchSize?: number;
  /** Calls at or after (start − this) get reprice_spend rows for the budgets. Default 32 days. */
  spendWindowMs?: number;
}

export interface RepriceTotals {
  /** Calls examined (known usage and model, in range). */
  calls: number;
  /** Calls whose cost changed. */
  changed: number;
  /** Calls without a price now, left as they were. */
  unpriced: number;
  /** Cost of the examined calls before (unpriced = 0). */
  oldTotalNano: number;
  /** Cost of the examined calls after. */
  newTotalNano: number;
  /**
   * How many examined calls had a stored cost before, and have one after (a call without a
   * cost adds nothing to the totals: unpriced, not $0), 0 ≤ each ≤ calls. Recorded with the
   * run (reprice_runs / reprice_models, schema v24, PostgreSQL v19); null for a run read back
   * that was recorded before, which did not keep them (its totals count such calls as $0).
   */
  oldPricedCalls: number | null;
  newPricedCalls: number | null;
}

/** The counts of calls with a cost as a reprice counts them: always known. */
export interface PricedCallCounts {
  oldPricedCalls: number;
  newPricedCalls: number;
}

export interface RepriceModelTotals extends RepriceTotals {
  provider: string;
  model: string;
}

export interface RepriceResult extends RepriceTotals {
  oldPricedCalls: number;
  newPricedCalls: number;
  /** reprice_runs id; null for a dry run. */
  runId: number | null;
  /** Per provider and model, largest absolute difference first. */
  models: (RepriceModelTotals & PricedCallCounts)[];
}

/** One `prices reprice` run as recorded (reprice_runs, schema v8; its counts of calls with a cost v24). Times ms, money nano-USD. */
export interface RepriceRun extends RepriceTotals {
  id: number;
  actor: string;
  startedAt: number;
  /** null while running, or when the run died (its committed batches stand). */
  finishedAt: number | null;
  since: number;
  until: number;
  model: string | null;
  /** The price sources in force. */
  prices: string;
  models: RepriceModelTotals[];
}

/** A repriced call's cost change, for the budget counters of running proxies. */
export interface SpendChange {
  /** Increasing; a proxy applies the rows above the last id it has seen. */
  id: number;
  ts: number;
  keyName: string | null;
  tags: Record<string, string>;
  deltaNano: number;
}

/** Price snapshots and repricing in the database (`store.prices`). */
export interface PriceStore {
  /** Stores a catalog snapshot; it is in force from now on. @returns its id. */
  insertSnapshot(s: NewPriceSnapshot): Promise<number>;
  /** Id of the snapshot in force, or null (cheap enough to poll). */
  latestSnapshotId(): Promise<number | null>;
  /** The snapshot in force, with its data. */
  latestSnapshot(): Promise<PriceSnapshotRecord | null>;
  listSnapshots(limit: number): Promise<PriceSnapshotInfo[]>;
  /** Reprices stored calls (see store/reprice.ts). */
  reprice(options: RepriceOptions): Promise<RepriceResult>;
  /** Reprice runs, newest first. */
  repriceRuns(limit: number): Promise<RepriceRun[]>;
  /** Id of the newest budget spend change from repricing (0 = none; cheap enough to poll). */
  latestSpendChangeId(): Promise<number>;
  /** Spend changes after `afterId`, oldest first. */
  spendChangesAfter(afterId: number, limit: number): Promise<SpendChange[]>;
}
