import type { Usage } from '../providers/types.js';
import type { NanoUsd } from '../lib/money.js';
import type { WhereClause } from './read/dimensions.js';

export type { AlertRecord, BudgetLimitRecord, BudgetPeriod, BudgetResetRecord, KeyBudget, KeyEvent, KeyEventActor, KeyRecord, NewKey, SpendGroup, StoredBudgetKind } from './records.js';
export type { BudgetTarget, InstanceCost, InstanceSpend, PeriodBounds, PeriodInstanceSpend } from './budget-reads.js';
export type { BudgetStore, KeyHistory, KeyPatch, KeyStore, UnitOfWork } from './unit-of-work.js';

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
  | 'upstream_failed' // upstream unreachable, reset, timed out or cut the stream, or its 2xx answer said the work failed (Observed.failed)
  | 'refused'; // tokometer refused it (bad tags, budget, policy) and never forwarded it

/** Where the stored usage came from. */
export type UsageSource = 'reported' | 'estimated' | 'unknown' | 'not_metered';

/** One recorded call. Money in nano-USD; times in ms since the epoch (UTC). */
export interface CallRecord {
  /**
   * The call's own id (a UUIDv7, lib/call-id.ts), given by the record writer that first
   * accepts it and kept through spill and replay, so a store can write the call once.
   * Absent until a writer that needs it (PostgreSQL) accepts the record.
   */
  callId?: string;
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

/** What `Store.prune` removed. */
export interface PruneResult {
  /** Raw calls that started before this instant (ms, a whole UTC hour) are gone. */
  cutoff: number;
  /** Raw calls deleted by this run. */
  calls: number;
  /** False when `maxCalls` stopped the run before every old call was gone (call again). */
  done: boolean;
}

/** Which calls a read covers: `since <= ts < until` (ms), the `--where` filters, optionally one key. */
export interface CallScope {
  since: number;
  until: number;
  where: readonly WhereClause[];
  keyName?: string;
  /** IANA zone of day, week and month buckets. */
  timeZone: string;
}

/** One stored call as the audit reads it. Money in nano-USD, times in ms. */
export interface StoredCall {
  id: number;
  ts: number;
  keyName: string | null;
  provider: string;
  /** Model as answered, else as requested; `(none)` when neither is known. */
  model: string;
  /**
   * The model the request named when the answer named another (SQL `NULLIF(model_requested,
   * model)`): a dated snapshot (`gpt-4o` → `gpt-4o-2024-08-06`), an alias, or another model
   * that served the call (an Anthropic server-side fallback). null when the answer named the
   * requested model, or the request named none.
   */
  modelRequestedIfOther: string | null;
  endpoint: string;
  outcome: CallOutcome;
  streamed: boolean;
  /** null when the usage is unknown. Inclusion rules as in providers/types.ts. */
  usage: Usage | null;
  usageSource: UsageSource;
  /** null = unpriced. */
  costNano: NanoUsd | null;
  requestHash: string | null;
  /** Requested max output tokens; null = the request set none. */
  maxOutputTokens: number | null;
  /** ms to the first byte of the answer; null when none came (with outcome and usageSource: store/reached.ts `isReached`). */
  ttfbMs: number | null;
  tags: Readonly<Record<string, string>>;
}

/** Reads of the raw call log outside reports (store/read/calls.ts). */
export interface CallReads {
  /** The scope's calls, oldest first (ties by id), with only the columns the audit uses. */
  list(scope: CallScope): Promise<StoredCall[]>;
  /**
   * Start of the first call ever stored that matches every `where` filter (the report's
   * --where rules, at any time: no time range), ms; null when there is none. No filters:
   * the first call of the whole log.
   */
  firstCallAt(where?: readonly WhereClause[]): Promise<number | null>;
  /** The largest reported output per key, requested model and UTC day since `since` (ms), of calls without max output: the budget gate's output-history seed. */
  outputMaxima(since: number): Promise<OutputMaximumRow[]>;
}

/** The largest reported output of one (key, model as asked for) on one UTC day. */
export interface OutputMaximumRow {
  keyName: string;
  model: string;
  /** UTC day number: floor(ts / 86 400 000). */
  day: number;
  maxOutputTokens: number;
}

/** Facts about the database itself (store/meta.ts). */
export interface StoreMeta {
  /**
   * A value that changes with every committed change to keys, budget resets and the key
   * history, by any connection (another process too), and not with calls; cheap enough
   * to poll. Compare it with the value read before.
   */
  changeToken(): Promise<number>;
  /** The application id in the database header; 0 when none was set. */
  applicationId(): Promise<number>;
  setApplicationId(id: number): Promise<void>;
  /** Keys whose name is not in `keyNames`, and calls whose key is null or not in it. */
  countOutside(keyNames: readonly string[]): Promise<{ keys: number; calls: number }>;
  /**
   * The config the newest `serve` on this database started with (PostgreSQL, tokometer_meta
   * rows serve_config and serve_started_at): `fingerprint`, the first 52 bits of the sha256 of
   * its keys and budgets (config/drift.ts), and its start (ms). Null when none was recorded,
   * and always on SQLite, whose serve says it in its marker file (cli/serve-lock.ts).
   */
  servedConfig(): Promise<{ fingerprint: number; startedAt: number } | null>;
  /** Records the config a starting serve enforces (see servedConfig); nothing on SQLite. */
  recordServedConfig(fingerprint: number, startedAt: number): Promise<void>;
}

/**
 * How far one writer-thread run has handled, written with its records (store/writer-marks.ts):
 * records 1..`handled` that run received, in posting order, are written, spilled, rejected or refused.
 */
export interface WriterMark {
  /** The run: one per record writer, across restarts of its thread. */
  run: string;
  handled: number;
  /** ms since the epoch. */
  at: number;
}

/**
 * Where the proxy hands call records: the WriteQueue itself, or ThreadWriter, which runs
 * a WriteQueue on the writer thread. `enqueue` is O(1) and never touches SQLite; the
 * counters describe records accepted and not yet written (see WriteQueue).
 */
export interface RecordWriter {
  /** Accepts a record; false (counted in `refused`) when the buffer is full because writes keep failing. */
  enqueue(record: CallRecord): boolean;
  /**
   * For reads that must see the latest calls. Resolves once every record accepted before
   * the call has left the writer: true when they are all in the database (or dropped as
   * unstorable), false when some still wait because the store is failing (in memory or
   * in the spill file). Never rejects, never blocks the event loop.
   */
  flush(): Promise<boolean>;
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
