import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliFolder } from './cli-folder.js';
import { writeMixedCostCalls } from './mixed-cost-calls.js';

/**
 * `prices reprice --dry-run` on calls stored without a cost: their old cost is unknown
 * (unpriced, not $0, as report says: report/known-cost.ts), so a model none of whose calls
 * had a cost reads `—`, and a sum that leaves such calls out is marked `*`.
 */

const { dir, cli } = cliFolder('tokometer-reprice-unknown-');

describe('prices reprice --dry-run with calls that had no cost', () => {
  it('shows — for an unknown cost and marks a partial sum *', async () => {
    const file = path.join(dir(), 'calls.db');
    await writeMixedCostCalls(file);

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
