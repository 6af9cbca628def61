import type { Usage } from '../providers/types.js';
import type { NanoUsd } from '../lib/money.js';

/** A value SQLite can bind. */
export type SqlValue = number | string | bigint | null | Uint8Array;

export interface SqlRunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

/** A prepared statement. Parameters are positional (`?`). */
export interface SqlStatement {
  run(...params: SqlValue[]): SqlRunResult;
  get<T = Record<string, unknown>>(...params: SqlValue[]): T | undefined;
  all<T = Record<string, unknown>>(...params: SqlValue[]): T[];
}

/**
 * The only thing that differs per runtime in the store: better-sqlite3 on Node,
 * bun:sqlite on Bun. Everything above it (migrations, queries, write queue) is shared.
 */
export interface SqlDriver {
  readonly name: 'better-sqlite3' | 'bun:sqlite';
  exec(sql: string): void;
  prepare(sql: string): SqlStatement;
  /** Runs fn in one transaction (BEGIN IMMEDIATE … COMMIT, rolled back on throw). */
  transaction<T>(fn: () => T): T;
  close(): void;
}

/** Opens a database file (created with mode 0600 when new). `readonly` opens without write access. */
export type OpenDriver = (path: string, options?: { readonly?: boolean }) => SqlDriver;

/** How a call ended, from tokometer's point of view. */
export type CallOutcome =
  | 'ok' // upstream answered 2xx and the response reached the client
  | 'upstream_error' // upstream answered a non-2xx status (passed through)
  | 'client_aborted' // the client went away before the response ended
  | 'upstream_failed' // upstream unreachable, reset, timed out or cut the stream
  | 'refused'; // tokometer refused it (bad tags, budget, policy) and never forwarded it

/** Where the stored usage came from. */
export type UsageSource = 'reported' | 'estimated' | 'unknown' | 'not_metered';

/** One recorded call. Money in nano-USD; times in ms since the epoch (UTC). */
export interface CallRecord {
  /** Start of the call, ms since the epoch. */
  ts: number;
  /** Metering key name; null when the call was refused before a key was identified. */
  keyName: string | null;
  provider: string;
  /** Endpoint name from the adapter, e.g. `chat.completions`, `embeddings`, `other`. */
  endpoint: string;
  modelRequested: string | null;
  /** Model as answered by the provider, else as requested. */
  model: string | null;
  /** HTTP status sent to the client (0 when the client left before any status was sent). */
  status: number;
  outcome: CallOutcome;
  streamed: boolean;
  usage: Usage | null;
  usageSource: UsageSource;
  /** Cost computed from the price catalog; null when the model has no known price (never a silent 0). */
  costNano: NanoUsd | null;
  /** Cost the provider reported itself (OpenRouter, xAI), if any. */
  providerCostNano: NanoUsd | null;
  /** Which price source priced the call, e.g. `genai-prices@0.1.8`, `override`, `config`. */
  priceSource: string | null;
  /** Whole call duration in ms (request received → response finished). */
  latencyMs: number;
  /** Time to the first response byte from upstream in ms; null when none arrived. */
  ttfbMs: number | null;
  tags: Record<string, string>;
  /** SHA-256 (hex, first 32 chars) of the request body, for duplicate detection. */
  requestHash: string | null;
  /** Request body size in bytes. */
  promptBytes: number;
  maxOutputTokens: number | null;
  /** Short error description for refused/failed calls. Never contains a secret. */
  error: string | null;
}

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

/** What `Store.prune` removed. */
export interface PruneResult {
  /** Raw calls that started before this instant (ms, a whole UTC hour) are gone. */
  cutoff: number;
  /** Raw calls deleted by this run. */
  calls: number;
  /** False when `maxCalls` stopped the run before every old call was gone (call again). */
  done: boolean;
}

/** Writes and key management; the read side for reports lives in report/ and reads through `driver`. */
export interface Store {
  readonly driver: SqlDriver;
  insertCalls(records: readonly CallRecord[]): void;
  /**
   * Retention: deletes raw calls (and their call_tags) older than `retentionDays` days
   * before `now` (ms), cut at the start of a UTC hour; rollups stay, so reports over
   * old periods still add up; per-entity rows (entity_months, entity_counts) stay too.
   * Safe to run while the proxy writes (small transactions);
   * `options.maxCalls` bounds one synchronous run so a server can spread a big backlog.
   */
  prune(retentionDays: number, now: number, options?: { maxCalls?: number }): PruneResult;
  createKey(key: NewKey): KeyRecord;
  listKeys(options?: { includeRevoked?: boolean }): KeyRecord[];
  getKeyByName(name: string): KeyRecord | undefined;
  getKeyByHash(hash: string): KeyRecord | undefined;
  revokeKey(name: string, at: number): boolean;
  updateKey(name: string, patch: Partial<Pick<KeyRecord, 'tags' | 'providers' | 'models' | 'budget'>>): KeyRecord | undefined;
  /** Stores one fired budget alert. */
  insertAlert(alert: AlertRecord): void;
  /** Alerts whose period started at or after `periodStartFrom` (default 0), oldest first; at most `limit` (newest kept). */
  listAlerts(options?: { periodStartFrom?: number; limit?: number }): AlertRecord[];
  insertBudgetReset(reset: BudgetResetRecord): void;
  /** Resets made at or after `since` (ms), oldest first. */
  listBudgetResets(since: number): BudgetResetRecord[];
  /** Appends one entry to the audit trail of keys and budgets. */
  appendKeyEvent(event: KeyEvent): void;
  /** Audit trail, oldest first; only `keyName`'s entries when given; the newest `limit` when given. */
  listKeyEvents(options?: { keyName?: string; limit?: number }): Array<KeyEvent & { id: number }>;
  /**
   * Spend of calls with `since <= ts < until` and a cost > 0, summed per (key, tag set):
   * what the budget ledger is rebuilt from at start. `ts` is the group's earliest call.
   */
  spendGroups(since: number, until: number): SpendGroup[];
  /** Summed cost (nano-USD) of `keyName`'s calls with `since <= ts < until`. */
  keySpend(keyName: string, since: number, until: number): NanoUsd;
  /** A number that changes whenever another connection commits (PRAGMA data_version); cheap. */
  dataVersion(): number;
  close(): void;
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
  spentNano: NanoUsd;
  limitNano: NanoUsd;
  soft: boolean;
  firedAt: number;
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

/** Who made a change to keys or budgets ('proxy': the running proxy itself, e.g. alerts re-armed by a raised limit). */
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

/** Summed spend of one (key, tag set) over a time range; see Store.spendGroups. */
export interface SpendGroup {
  keyName: string | null;
  tags: Record<string, string>;
  /** Earliest call of the group, ms. */
  ts: number;
  costNano: NanoUsd;
}

/**
 * Where the proxy hands call records: the WriteQueue itself, or ThreadWriter, which runs
 * a WriteQueue on the writer thread. `enqueue` is O(1) and never touches SQLite; the
 * counters describe records accepted and not yet written (see WriteQueue).
 */
export interface RecordWriter {
  /** Accepts a record; false (counted in `refused`) when the buffer is full because writes keep failing. */
  enqueue(record: CallRecord): boolean;
  /** Writes everything accepted so far before returning (blocks; for reads that must see the latest calls). */
  flush(): void;
  /** Writes everything pending; rejects with a WriteQueueError when the store keeps failing (records are spilled first). */
  drain(): Promise<void>;
  /** Releases what the writer holds after `drain` (the writer thread); optional. */
  close?(): Promise<void>;
  readonly degraded: boolean;
  readonly full: boolean;
  readonly pending: number;
  readonly spilled: number;
  readonly refused: number;
}
