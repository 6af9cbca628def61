import { describe, expect, it } from 'vitest';
import { sqliteDb } from '../../src/store/db.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { isReached, reachedSql } from '../../src/store/reached.js';
import type { CallOutcome, UsageSource } from '../../src/store/types.js';

/** The calls reports count by default (issue #18.2): served by the provider; the rest go to the footer. */
const cases: Array<{ outcome: CallOutcome; ttfbMs: number | null; usageSource: UsageSource; counted: boolean; why: string }> = [
  { outcome: 'ok', ttfbMs: 12, usageSource: 'reported', counted: true, why: 'served' },
  { outcome: 'client_aborted', ttfbMs: null, usageSource: 'estimated', counted: true, why: 'sent, then the client left' },
  { outcome: 'upstream_failed', ttfbMs: 40, usageSource: 'estimated', counted: true, why: 'a stream cut after it started' },
  { outcome: 'upstream_failed', ttfbMs: null, usageSource: 'not_metered', counted: false, why: 'connection never made' },
  { outcome: 'upstream_error', ttfbMs: 9, usageSource: 'not_metered', counted: false, why: 'the provider answered 400/429/5xx' },
  { outcome: 'refused', ttfbMs: null, usageSource: 'not_metered', counted: false, why: 'tokometer refused it' },
];

describe('reached.ts: which calls reports count', () => {
  it.each(cases)('$outcome ($why): counted $counted, in JS and in SQL alike', async (c) => {
    expect(isReached(c)).toBe(c.counted);
    const db = sqliteDb(openDriver(':memory:'));
    await db.run('CREATE TABLE calls (outcome TEXT, ttfb_ms REAL, usage_source TEXT)');
    await db.run('INSERT INTO calls VALUES (?, ?, ?)', [c.outcome, c.ttfbMs, c.usageSource]);
    const row = await db.get<{ n: number }>(`SELECT count(*) AS n FROM calls c WHERE ${reachedSql('c')}`);
    expect(row?.n).toBe(c.counted ? 1 : 0);
    await db.close();
  });
});
