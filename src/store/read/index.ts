import { sqliteDb } from '../db.js';
import type { SqlDriver } from '../types.js';
import { createFeedReads, type FeedReads } from './feed.js';
import { createReportReads, type ReportReads } from './report/index.js';

/** The read modules the report commands, the dashboard and the admin API use, over one connection. */
export interface StoreReads {
  readonly reports: ReportReads;
  readonly feed: FeedReads;
  /** Closes the connection. */
  close(): Promise<void>;
}

/**
 * The read modules over a synchronous SQLite connection (usually opened read-only), which
 * `close` closes: for callers that open their own reader until the Store hands these out.
 */
export function sqliteReads(driver: SqlDriver): StoreReads {
  const db = sqliteDb(driver);
  return { reports: createReportReads(db), feed: createFeedReads(db), close: () => db.close() };
}
