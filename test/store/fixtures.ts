import { InvalidCallRecordError, type CallRow } from '../../src/store/call-row.js';
import { rowToCall } from '../../src/store/call-row-reader.js';
import type { CallRecord, OpenDriver, SqlDriver } from '../../src/store/types.js';
import { join } from 'node:path';
import { testStore, type TestStore } from '../support/store.js';

/** One store contract case; runs under vitest (Node) and under `bun run` alike. */
export interface ContractCase {
  name: string;
  run(open: OpenDriver, tmpDir: string): void | Promise<void>;
}

/** A fully populated call; `i` varies the values so rows differ. */
export function makeCall(i: number, overrides: Partial<CallRecord> = {}): CallRecord {
  return {
    ts: 1_750_000_000_000 + i,
    keyName: i % 2 === 0 ? 'team-a' : 'team-b',
    provider: 'openai',
    endpoint: 'chat.completions',
    modelRequested: 'gpt-4o',
    model: 'gpt-4o-2024-08-06',
    status: 200,
    outcome: 'ok',
    streamed: i % 3 === 0,
    usage: {
      inputTokens: 1000 + i,
      outputTokens: 200,
      cacheReadTokens: 300,
      cacheWrite5mTokens: 10,
      cacheWrite1hTokens: 5,
      reasoningTokens: 50,
    },
    usageSource: 'reported',
    costNano: 123_456_789 + i,
    providerCostNano: null,
    priceSource: 'genai-prices@0.1.8',
    latencyMs: 812.25,
    ttfbMs: 95.5,
    tags: { team: i % 2 === 0 ? 'search' : 'chat', env: 'prod' },
    requestHash: 'abcdef0123456789abcdef0123456789',
    promptBytes: 4096,
    maxOutputTokens: 1024,
    error: null,
    ...overrides,
  };
}

export function dbPath(tmpDir: string, name = 'tokometer.db'): string {
  return join(tmpDir, name);
}

/** Opens a driver and a store on it; the store owns the driver. */
export function openStore(open: OpenDriver, path: string, readonly = false): TestStore {
  const driver = open(path, { readonly });
  try {
    return testStore(driver, { readonly });
  } catch (err) {
    driver.close();
    throw err;
  }
}

export function readCalls(driver: SqlDriver): CallRecord[] {
  return driver.prepare('SELECT * FROM calls ORDER BY id').all<CallRow>().map(rowToCall);
}

export function count(driver: SqlDriver, table: string): number {
  return driver.prepare(`SELECT count(*) AS n FROM ${table}`).get<{ n: number }>()!.n;
}

/** First column of a one-row PRAGMA result (column names differ between pragmas). */
export function pragma(driver: SqlDriver, name: string): unknown {
  const row = driver.prepare(`PRAGMA ${name}`).get<Record<string, unknown>>();
  return row === undefined ? undefined : Object.values(row)[0];
}

/** Asserts that the promise rejects; returns the error for further checks. */
export async function rejected(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection, the promise resolved');
}

/** Asserts that fn throws; returns the error for further checks. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error, nothing was thrown');
}

export const tick = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A store whose writes fail (like a full or read-only disk) until `healthy` is set; a record
 * with a negative latencyMs can never be stored (bad data), the way the real writer refuses one.
 */
export class FlakyStore {
  healthy = false;
  readonly written: CallRecord[] = [];
  insertCalls(records: readonly CallRecord[]): void {
    if (!this.healthy) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    for (const r of records) if (r.latencyMs < 0) throw new InvalidCallRecordError('latencyMs', r.latencyMs);
    this.written.push(...records);
  }
}
