import type { FeedReads } from './read/feed.js';
import type { ReportReads } from './read/report/index.js';
import type { PriceStore } from './price-records.js';
import type { ReconcileStore } from './reconcile-records.js';
import type { BudgetStore, CallReads, KeyHistory, KeyStore, PruneResult, StoreMeta, UnitOfWork } from './types.js';

/**
 * The store: the only code that knows the schema. Every read and write is asynchronous,
 * so the same facade sits on SQLite (sqlite-store.ts) and on a shared PostgreSQL. Each
 * part is a named module over the SQL seam (db.ts). The hot-path call insert is not here:
 * the write queue uses a synchronous CallWriter on its own connection (call-writer.ts).
 */
export interface Store {
  readonly keys: KeyStore;
  readonly history: KeyHistory;
  readonly budgets: BudgetStore;
  readonly calls: CallReads;
  readonly meta: StoreMeta;
  /** The report engine's reads (rollups, raw rows, entity rows, economics). */
  readonly reports: ReportReads;
  /** The dashboard's feed: tag keys, latest calls and alerts, active users. */
  readonly feed: FeedReads;
  /** What `reconcile` reads and writes, and what `audit` reads of it. */
  readonly reconcile: ReconcileStore;
  /** Catalog price snapshots, repricing of stored calls and its audit trail. */
  readonly prices: PriceStore;
  /**
   * Runs `fn` in one transaction over the writing modules: committed when it resolves,
   * rolled back when it throws. Other statements on this store wait until it ends, so
   * `fn` should await nothing but store calls.
   */
  unitOfWork<T>(fn: (tx: UnitOfWork) => Promise<T>): Promise<T>;
  /**
   * Retention: deletes raw calls (on SQLite with their ids in call_postings and the tag keys of
   * months wholly before the cutoff) older than `retentionDays` days
   * before `now` (ms), cut at the start of a UTC hour; rollups stay, so reports over
   * old periods still add up; per-entity rows (entity_months, entity_counts) stay too.
   * Safe while the proxy writes (small transactions); `options.maxCalls` bounds one run
   * so a server can spread a big backlog over several turns.
   */
  prune(retentionDays: number, now: number, options?: { maxCalls?: number }): Promise<PruneResult>;
  close(): Promise<void>;
}
