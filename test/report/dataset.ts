import { sqliteDb } from '../../src/store/db.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { createReportReads, type ReportReads } from '../../src/store/read/report/index.js';
import { testStore as createStore } from '../support/store.js';
import type { CallRecord, SqlDriver } from '../../src/store/types.js';
import type { TestStore as Store } from '../support/store.js';

/** Hand-built datasets for report tests, written through the real store. */

export const USD = 1_000_000_000;

export interface CallSpec {
  /** ms since the epoch, or an ISO string. */
  at: number | string;
  model?: string | null;
  provider?: string;
  endpoint?: string;
  key?: string | null;
  /** nano-USD; null = unpriced. */
  cost?: number | null;
  input?: number;
  output?: number;
  cached?: number;
  /** false = usage unknown (token columns NULL). */
  usage?: boolean;
  latency?: number;
  tags?: Record<string, string>;
}

export function record(s: CallSpec): CallRecord {
  const usageKnown = s.usage !== false;
  return {
    ts: typeof s.at === 'number' ? s.at : Date.parse(s.at),
    keyName: s.key === undefined ? 'app' : s.key,
    provider: s.provider ?? 'openai',
    endpoint: s.endpoint ?? 'chat.completions',
    modelRequested: s.model === undefined ? 'gpt-4o-mini' : s.model,
    model: s.model === undefined ? 'gpt-4o-mini' : s.model,
    status: 200,
    outcome: 'ok',
    streamed: false,
    usage: usageKnown
      ? {
          inputTokens: s.input ?? 100,
          outputTokens: s.output ?? 10,
          cacheReadTokens: s.cached ?? 0,
          cacheWrite5mTokens: 0,
          cacheWrite1hTokens: 0,
          reasoningTokens: 0,
        }
      : null,
    usageSource: usageKnown ? 'reported' : 'unknown',
    costNano: s.cost === undefined ? 1000 : s.cost,
    providerCostNano: null,
    priceSource: s.cost === null ? null : 'test',
    latencyMs: s.latency ?? 100,
    ttfbMs: null,
    tags: s.tags ?? {},
    requestHash: null,
    promptBytes: 10,
    maxOutputTokens: null,
    error: null,
  };
}

export interface TestDb {
  store: Store;
  driver: SqlDriver;
  /** The store's report reads on the same connection. */
  reads: ReportReads;
  close(): void;
}

/** Report reads over a test connection. */
export function readsOf(driver: SqlDriver): ReportReads {
  return createReportReads(sqliteDb(driver));
}

/** A migrated in-memory database holding `calls`. */
export function buildDb(calls: readonly CallSpec[]): TestDb {
  const driver = openDriver(':memory:');
  const store = createStore(driver);
  store.insertCalls(calls.map(record));
  return { store, driver, reads: readsOf(driver), close: () => store.close() };
}
