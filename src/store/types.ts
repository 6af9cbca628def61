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

/** Writes and key management; the read side for reports lives in report/ and reads through `driver`. */
export interface Store {
  readonly driver: SqlDriver;
  insertCalls(records: readonly CallRecord[]): void;
  createKey(key: NewKey): KeyRecord;
  listKeys(options?: { includeRevoked?: boolean }): KeyRecord[];
  getKeyByName(name: string): KeyRecord | undefined;
  getKeyByHash(hash: string): KeyRecord | undefined;
  revokeKey(name: string, at: number): boolean;
  updateKey(name: string, patch: Partial<Pick<KeyRecord, 'tags' | 'providers' | 'models' | 'budget'>>): KeyRecord | undefined;
  /** A number that changes whenever another connection commits (PRAGMA data_version); cheap. */
  dataVersion(): number;
  close(): void;
}
