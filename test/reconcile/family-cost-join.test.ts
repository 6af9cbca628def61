import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { buildReport } from '../../src/reconcile/build.js';
import { catalogRates } from '../../src/reconcile/run.js';
import { DEFAULT_TOLERANCE, type ProviderCost, type ProviderReport } from '../../src/reconcile/types.js';
import type { MeteredUsageRow } from '../../src/store/read/metered-usage.js';

/**
 * A cost item naming a model family goes "to the one dated model used
 * that day" (docs/reconcile.md). The match was a plain prefix, so `gpt-4o` also claimed
 * `gpt-4o-mini-2024-07-18`, and `o1` claimed `o1-mini-…`: another model's bill lands on it.
 */

const DAY = Date.parse('2026-11-01T00:00:00Z');
const USD = 1e9;
const meter = (model: string, calls: number, input: number, output: number, costNano: number): MeteredUsageRow => ({
  day: DAY, model, calls, usageUnknown: 0, unpriced: 0, inputTokens: input, cachedInputTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: output, costNano, webSearches: 0, fileSearches: 0,
});
const usage = (model: string, requests: number, input: number, output: number) => ({ day: DAY, model, requests, tokens: { input, cachedInput: 0, cacheWrite5m: 0, cacheWrite1h: 0, output } });
const cost = (model: string, rate: ProviderCost['rate'], usd: number): ProviderCost => ({ day: DAY, model, rate, tokenCost: true, label: `${model}, ${rate}`, costNano: Math.round(usd * USD) });

function build(m: MeteredUsageRow[], r: Partial<ProviderReport>) {
  return buildReport(m, { usage: [], costs: [], requestCounts: true, ...r }, {
    provider: 'openai', providerLabel: 'OpenAI', since: DAY, until: DAY + 86_400_000, by: 'day,model', tolerance: DEFAULT_TOLERANCE, catalog: catalogRates(createPricer(), 'openai'),
  });
}

describe('reconcile: family cost items', () => {
  it('a gpt-4o cost never lands on the gpt-4o-mini row', () => {
    // gpt-4o-mini: 1M in + 100k out = $0.15 + $0.06, metered and billed alike.
    const report = build([meter('gpt-4o-mini-2024-07-18', 100, 1_000_000, 100_000, 0.21 * USD)], {
      usage: [usage('gpt-4o-mini-2024-07-18', 100, 1_000_000, 100_000)],
      costs: [cost('gpt-4o-mini-2024-07-18', 'input', 0.15), cost('gpt-4o-mini-2024-07-18', 'output', 0.06), cost('gpt-4o', 'input', 5)],
    });
    const mini = report.rows.find((r) => r.model === 'gpt-4o-mini-2024-07-18')!;
    expect([mini.status, mini.bill.costNano]).toEqual(['match', 0.21 * USD]);
    expect(report.rows.find((r) => r.model === 'gpt-4o')?.status).toBe('unmetered_traffic');
  });
});
