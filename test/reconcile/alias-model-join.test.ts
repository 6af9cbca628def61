import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { buildReport } from '../../src/reconcile/build.js';
import { catalogRates } from '../../src/reconcile/run.js';
import { DEFAULT_TOLERANCE, type ProviderCost, type ProviderReport } from '../../src/reconcile/types.js';
import type { MeteredUsageRow } from '../../src/store/read/metered-usage.js';

/**
 * The meter groups calls by the model as answered. Anthropic's response `model` echoes the
 * request (PROVIDERS.md §3), so a client that asks for an alias (`claude-3-5-sonnet-latest`)
 * is metered under the alias, while the organization usage and cost reports name the dated
 * model that served it (`claude-3-5-sonnet-20241022`). The same calls then show as two
 * differences: the meter's row `missing_at_provider` and the bill's row `unmetered_traffic`.
 * The reverse holds for a meter row under a family name (`gpt-4o`, the request's model when
 * the answer named none) against OpenAI's dated `gpt-4o-2024-08-06`.
 */

const DAY = Date.parse('2026-11-01T00:00:00Z');
const USD = 1e9;
const meter = (model: string, calls: number, input: number, output: number, costNano: number): MeteredUsageRow => ({
  day: DAY, model, calls, usageUnknown: 0, unpriced: 0, inputTokens: input, cachedInputTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: output, costNano, webSearches: 0, fileSearches: 0,
});
const usage = (model: string, requests: number | null, input: number, output: number) => ({ day: DAY, model, requests, tokens: { input, cachedInput: 0, cacheWrite5m: 0, cacheWrite1h: 0, output } });
const cost = (model: string, rate: ProviderCost['rate'], usd: number): ProviderCost => ({ day: DAY, model, rate, tokenCost: true, label: `${model}, ${rate}`, costNano: Math.round(usd * USD) });

function build(provider: 'openai' | 'anthropic', m: MeteredUsageRow[], r: Partial<ProviderReport>) {
  return buildReport(m, { usage: [], costs: [], requestCounts: provider === 'openai', ...r }, {
    provider, providerLabel: provider, since: DAY, until: DAY + 86_400_000, by: 'day,model', tolerance: DEFAULT_TOLERANCE, catalog: catalogRates(createPricer(), provider),
  });
}
const summary = (rows: { model: string | null; status: string }[]) => rows.map((r) => `${r.model} ${r.status}`);

describe('reconcile: a model metered under its alias', () => {
  it('Anthropic: calls metered as claude-3-5-sonnet-latest match the bill of claude-3-5-sonnet-20241022', () => {
    // 100k in + 10k out at $3 / $15 per 1M = $0.30 + $0.15, metered and billed alike.
    const report = build('anthropic', [meter('claude-3-5-sonnet-latest', 10, 100_000, 10_000, 0.45 * USD)], {
      usage: [usage('claude-3-5-sonnet-20241022', null, 100_000, 10_000)],
      costs: [cost('claude-3-5-sonnet-20241022', 'input', 0.3), cost('claude-3-5-sonnet-20241022', 'output', 0.15)],
    });
    expect(summary(report.rows)).toEqual(['claude-3-5-sonnet-20241022 match']);
  });

  it('Anthropic: alias and dated calls of the same model fold into the dated row', () => {
    const report = build('anthropic', [
      meter('claude-3-5-sonnet-20241022', 6, 60_000, 6_000, 0.27 * USD),
      meter('claude-3-5-sonnet-latest', 4, 40_000, 4_000, 0.18 * USD),
    ], {
      usage: [usage('claude-3-5-sonnet-20241022', null, 100_000, 10_000)],
      costs: [cost('claude-3-5-sonnet-20241022', 'input', 0.3), cost('claude-3-5-sonnet-20241022', 'output', 0.15)],
    });
    expect(summary(report.rows)).toEqual(['claude-3-5-sonnet-20241022 match']);
  });

  it('Anthropic: the x.0 aliases (claude-sonnet-4-0) match their dated model (claude-sonnet-4-20250514)', () => {
    const report = build('anthropic', [meter('claude-sonnet-4-0', 10, 100_000, 10_000, 0.45 * USD)], {
      usage: [usage('claude-sonnet-4-20250514', null, 100_000, 10_000)],
      costs: [cost('claude-sonnet-4-20250514', 'input', 0.3), cost('claude-sonnet-4-20250514', 'output', 0.15)],
    });
    expect(summary(report.rows)).toEqual(['claude-sonnet-4-20250514 match']);
  });

  it('OpenAI: a meter row under gpt-4o matches the bill of gpt-4o-2024-08-06', () => {
    // 1M in + 100k out at $2.50 / $10 per 1M = $3.50.
    const report = build('openai', [meter('gpt-4o', 100, 1_000_000, 100_000, 3.5 * USD)], {
      usage: [usage('gpt-4o-2024-08-06', 100, 1_000_000, 100_000)],
      costs: [cost('gpt-4o-2024-08-06', 'input', 2.5), cost('gpt-4o-2024-08-06', 'output', 1)],
    });
    expect(summary(report.rows)).toEqual(['gpt-4o-2024-08-06 match']);
  });

  it('never folds two different dated snapshots, nor a family into a longer model name', () => {
    const report = build('openai', [meter('gpt-4o-2024-05-13', 10, 10_000, 1_000, 0.035 * USD), meter('gpt-4o', 10, 10_000, 1_000, 0.035 * USD)], {
      usage: [usage('gpt-4o-2024-08-06', 10, 10_000, 1_000), usage('gpt-4o-mini-2024-07-18', 100, 1_000_000, 100_000)],
      costs: [cost('gpt-4o-2024-08-06', 'input', 0.025), cost('gpt-4o-2024-08-06', 'output', 0.01)],
    });
    expect(summary(report.rows).sort()).toEqual(['gpt-4o-2024-05-13 missing_at_provider', 'gpt-4o-2024-08-06 match', 'gpt-4o-mini-2024-07-18 unmetered_traffic']);
  });
});
