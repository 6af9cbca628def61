import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliFolder } from './cli-folder.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { record, SINCE } from '../audit/helpers.js';
import { testStore } from '../support/store.js';

/**
 * `prices reprice --dry-run` on calls stored without a cost: their old cost is unknown
 * (unpriced, not $0, as report says: report/known-cost.ts), so a model none of whose calls
 * had a cost reads `—`, and a sum that leaves such calls out is marked `*`.
 */

const { dir, cli } = cliFolder('tokometer-reprice-unknown-');

describe('prices reprice --dry-run with calls that had no cost', () => {
  it('shows — for an unknown cost and marks a partial sum *', async () => {
    const file = path.join(dir(), 'calls.db');
    const store = testStore(openDriver(file));
    // gpt-4o, 1,000 in / 100 out: $2.50 / $10 per 1M now = 2,500,000 + 1,000,000 = 3,500,000 nano-USD a call.
    // One stored at 3,000,000, one stored without a cost; acme-llm-7b (no price anywhere) without a cost.
    store.insertCalls([
      record({ at: SINCE, cost: 3_000_000 }),
      record({ at: SINCE + 60_000, cost: null }),
      record({ at: SINCE + 120_000, model: 'acme-llm-7b', provider: 'together', cost: null }),
    ]);
    await store.close();

    const res = await cli(['prices', 'reprice', '--db', file, '--since', '2026-11-01', '--dry-run']);
    expect(res.code, res.err).toBe(0);
    // gpt-4o: old $0.003 known for 1 of 2 calls (marked), new 2 × $0.0035 = $0.007, difference +$0.004.
    expect(res.out).toMatch(/openai\s+gpt-4o\s+2\s+2\s+\$0\.003\*\s+\$0\.007\s+\+\$0\.004\n/);
    // acme-llm-7b: no cost before or after: unknown, not $0.00.
    expect(res.out).toMatch(/together\s+acme-llm-7b\s+1\s+0\s+—\s+—\s+—\n/);
    // Totals: old $0.003 of 1 call out of 3, new $0.007 of 2 out of 3 (acme still without a cost).
    expect(res.out).toMatch(/total\s+3\s+2\s+\$0\.003\*\s+\$0\.007\*\s+\+\$0\.004\n/);
    expect(res.out).toContain('* sums the calls that have a cost; — no call has one (unpriced, not $0)');
    expect(res.out).toContain('1 call has no price now and keeps its stored cost.');
  });
});
