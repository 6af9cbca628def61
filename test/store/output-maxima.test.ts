import { describe, expect, it } from 'vitest';
import { OutputHistory } from '../../src/budget/output-history.js';
import { sqliteDb } from '../../src/store/db.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { readOutputMaxima } from '../../src/store/read/output-maxima.js';
import { testStore as createStore } from '../support/store.js';
import { makeCall } from './fixtures.js';

const DAY = 86_400_000;
const at = (iso: string) => Date.parse(iso);

describe('readOutputMaxima (the output history seed)', () => {
  it('gives the largest reported output of calls without max output per key, requested model and UTC day since a time', async () => {
    const driver = openDriver(':memory:');
    const store = createStore(driver);
    const out = (ts: string, keyName: string | null, modelRequested: string | null, outputTokens: number, extra = {}) =>
      makeCall(0, { ts: at(ts), keyName, modelRequested, maxOutputTokens: null, usage: { inputTokens: 10, outputTokens, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0 }, ...extra });
    store.insertCalls([
      out('2026-11-10T12:00:00Z', 'a', 'gpt-4o', 999), // before `since`
      out('2026-11-19T01:00:00Z', 'a', 'gpt-4o', 40),
      out('2026-11-19T23:00:00Z', 'a', 'gpt-4o', 75),
      out('2026-11-20T08:00:00Z', 'a', 'gpt-4o', 12),
      out('2026-11-20T09:00:00Z', 'a', 'gpt-4o-mini', 300),
      out('2026-11-20T09:30:00Z', 'b', 'gpt-4o', 5),
      out('2026-11-20T10:00:00Z', 'a', 'gpt-4o', 5000, { usageSource: 'estimated' }),
      out('2026-11-20T10:00:00Z', 'a', 'gpt-4o', 4000, { maxOutputTokens: 4000 }), // capped by the client: says nothing of uncapped calls
      out('2026-11-20T10:00:00Z', null, 'gpt-4o', 5000),
      makeCall(1, { ts: at('2026-11-20T11:00:00Z'), keyName: 'a', modelRequested: 'gpt-4o', usage: null, usageSource: 'unknown', costNano: null }),
    ]);
    const rows = await readOutputMaxima(sqliteDb(driver), at('2026-11-13T00:00:00Z'));
    const sorted = [...rows].sort((x, y) => (x.keyName !== y.keyName ? (x.keyName < y.keyName ? -1 : 1) : x.model !== y.model ? (x.model.length - y.model.length) : x.day - y.day));
    expect(sorted).toEqual([
      { keyName: 'a', model: 'gpt-4o', day: at('2026-11-19T00:00:00Z') / DAY, maxOutputTokens: 75 },
      { keyName: 'a', model: 'gpt-4o', day: at('2026-11-20T00:00:00Z') / DAY, maxOutputTokens: 12 },
      { keyName: 'a', model: 'gpt-4o-mini', day: at('2026-11-20T00:00:00Z') / DAY, maxOutputTokens: 300 },
      { keyName: 'b', model: 'gpt-4o', day: at('2026-11-20T00:00:00Z') / DAY, maxOutputTokens: 5 },
    ]);

    // Seeded into the gate's history: the week's largest per key and model.
    const history = new OutputHistory();
    history.seed(rows);
    const now = at('2026-11-20T12:00:00Z');
    expect(history.max('a', 'gpt-4o', now)).toBe(75);
    expect(history.max('a', 'gpt-4o-mini', now)).toBe(300);
    expect(history.max('c', 'gpt-4o', now)).toBeUndefined();
    // The window is today and the 7 days before it.
    expect(history.max('a', 'gpt-4o', at('2026-11-26T23:59:59Z'))).toBe(75);
    expect(history.max('a', 'gpt-4o', at('2026-11-27T00:00:00Z'))).toBe(12);
    expect(history.max('a', 'gpt-4o', at('2026-11-28T00:00:00Z'))).toBeUndefined();
    expect(history.windowStart(now)).toBe(at('2026-11-13T00:00:00Z'));
    store.close();
  });
});
