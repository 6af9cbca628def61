import { describe, expect, it } from 'vitest';
import { parseTolerance } from '../../src/cli/reconcile.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { centsToNano } from '../../src/reconcile/anthropic-admin.js';
import { buildReport } from '../../src/reconcile/build.js';
import { renderReconcileTable } from '../../src/reconcile/format/table.js';
import { parseLineItem } from '../../src/reconcile/openai-admin.js';
import { catalogRates, dayWindow } from '../../src/reconcile/run.js';
import { DEFAULT_TOLERANCE, type ProviderCost, type ProviderReport, type ReconcileBy, type Tolerance } from '../../src/reconcile/types.js';
import type { MeteredUsageRow } from '../../src/store/read/metered-usage.js';

/**
 * The pure comparison: tolerance rules, the classes the end-to-end tests do not plant,
 * cost matching to dated models, and the small parsers. gpt-4o: $2.50 in / $1.25 cached /
 * $10 out per 1M, so 1,000 in + 100 out = $0.0035.
 */

const DAY = Date.parse('2026-11-01T00:00:00Z');
const USD = 1e9;

function meter(model: string, calls: number, input: number, output: number, costNano: number, extra: Partial<MeteredUsageRow> = {}): MeteredUsageRow {
  return { day: DAY, model, calls, usageUnknown: 0, unpriced: 0, inputTokens: input, cachedInputTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: output, costNano, webSearches: 0, fileSearches: 0, ...extra };
}
const usage = (model: string, requests: number | null, input: number, output: number) => ({ day: DAY, model, requests, tokens: { input, cachedInput: 0, cacheWrite5m: 0, cacheWrite1h: 0, output } });
const cost = (model: string | null, rate: ProviderCost['rate'], usd: number, label = `${model}, ${rate ?? 'x'}`): ProviderCost => ({ day: DAY, model, rate, tokenCost: model !== null, label, costNano: Math.round(usd * USD) });

function build(m: MeteredUsageRow[], r: Partial<ProviderReport>, o: { by?: ReconcileBy; tolerance?: Tolerance } = {}) {
  const report: ProviderReport = { usage: [], costs: [], requestCounts: true, ...r };
  return buildReport(m, report, {
    provider: 'openai', providerLabel: 'OpenAI', since: DAY, until: DAY + 86_400_000, by: o.by ?? 'day,model',
    tolerance: o.tolerance ?? DEFAULT_TOLERANCE, catalog: catalogRates(createPricer(), 'openai'),
  });
}

describe('reconcile comparison', () => {
  it('needs both the percentage and the dollar amount exceeded', () => {
    // 10% off but only $0.0035: match.
    const small = build([meter('gpt-4o', 1, 1000, 100, 3_500_000)], { usage: [usage('gpt-4o', 1, 1000, 100)], costs: [cost('gpt-4o', null, 0.00385)] });
    expect(small.rows[0]!.status).toBe('match');
    // 1,000 calls, $3.50 metered: billed $3.51 is 0.29% and exactly $0.01 (neither exceeded): match; $3.54 (1.1%, $0.04): price drift.
    const big = (billed: number) => build([meter('gpt-4o', 1000, 1_000_000, 100_000, 3.5 * USD)], { usage: [usage('gpt-4o', 1000, 1_000_000, 100_000)], costs: [cost('gpt-4o', null, billed)] }).rows[0]!;
    expect(big(3.51).status).toBe('match');
    const drift = big(3.54);
    expect(drift.status).toBe('price_drift');
    // Not itemised by price: each rate that alone would explain the $0.04.
    expect(drift.rates).toEqual([
      { rate: 'input', billedPerMtok: 2.54, catalogPerMtok: 2.5, itemised: false },
      { rate: 'output', billedPerMtok: 10.4, catalogPerMtok: 10, itemised: false },
    ]);
    expect(drift.explanation).toContain('explained by uncached input at $2.54/1M (catalog $2.50/1M) or output at $10.40/1M (catalog $10.00/1M)');
  });

  // A trial (Anthropic, no request counts): 12 calls more on the bill read as output token drift,
  // because their input alone ($0.0096) was under the $0.01 tolerance while their output was over.
  it('without request counts, values extra input tokens as the requests they make up: unmetered traffic, not output drift', () => {
    // gpt-4o, per call 1,000 in + 1,000 out = $0.0125; 100 calls metered, 103 calls' worth billed.
    const row = build([meter('gpt-4o', 100, 100_000, 100_000, 1.25 * USD)], { usage: [usage('gpt-4o', null, 103_000, 103_000)], costs: [cost('gpt-4o', null, 1.2875)], requestCounts: false }).rows[0]!;
    // The input difference alone is worth $0.0075 (3,000 × $2.50 per 1M), the 3 requests it stands for $0.0375.
    expect([row.status, row.unmeteredRequests, row.requestsEstimated]).toEqual(['unmetered_traffic', 3, true]);
    // Fewer input tokens likewise: calls the provider does not report.
    const fewer = build([meter('gpt-4o', 103, 103_000, 103_000, 1.2875 * USD)], { usage: [usage('gpt-4o', null, 100_000, 100_000)], costs: [cost('gpt-4o', null, 1.25)], requestCounts: false }).rows[0]!;
    expect(fewer.status).toBe('missing_at_provider');
    // Same input, more output: still a token drift (a cut stream's output the meter missed).
    const drift = build([meter('gpt-4o', 100, 100_000, 100_000, 1.25 * USD)], { usage: [usage('gpt-4o', null, 100_000, 103_000)], costs: [cost('gpt-4o', null, 1.28)], requestCounts: false }).rows[0]!;
    expect([drift.status, drift.driftedTokens]).toEqual(['token_drift', ['output']]);
  });

  it('request counts decide unmetered traffic and calls missing at the provider', () => {
    const up = build([meter('gpt-4o', 10, 10_000, 1_000, 0.035 * USD)], { usage: [usage('gpt-4o', 13, 13_000, 1_300)], costs: [cost('gpt-4o', null, 0.0455)] }).rows[0]!;
    expect([up.status, up.unmeteredRequests, up.requestsEstimated]).toEqual(['unmetered_traffic', 3, undefined]);
    const r = build([meter('gpt-4o', 20, 20_000, 2_000, 0.07 * USD)], { usage: [usage('gpt-4o', 10, 10_000, 1_000)], costs: [cost('gpt-4o', null, 0.035)] }).rows[0]!;
    expect(r.status).toBe('missing_at_provider');
    expect(r.diff.requests).toBe(-10);
    expect(r.explanation).toContain('The meter counted 10 calls that OpenAI does not report (-$0.035)');
    const none = build([meter('gpt-4o', 5, 5000, 500, 0.0175 * USD)], {}).rows[0]!;
    expect(none.status).toBe('missing_at_provider');
  });

  it('a model billed that the meter never saw is unmetered traffic, also from the cost report alone', () => {
    const r = build([], { usage: [usage('gpt-4.1-2025-04-14', 7, 70_000, 700)], costs: [cost('gpt-4.1-2025-04-14', 'input', 0.14)] }).rows[0]!;
    expect(r.status).toBe('unmetered_traffic');
    expect(r.unmeteredRequests).toBe(7);
    const costOnly = build([], { costs: [cost('o3', 'output', 2)] }).rows[0]!;
    expect([costOnly.model, costOnly.status, costOnly.unmeteredRequests]).toEqual(['o3', 'unmetered_traffic', null]);
    expect(costOnly.explanation).toBe('Unmetered traffic: OpenAI counted costs for a model the meter never saw, +$2.00. Something calls OpenAI without going through tokometer.');
  });

  it('a cost named by model family goes to the one dated model used that day; tools stay outside', () => {
    const report = build([meter('gpt-4o-2024-08-06', 1, 1000, 100, 3_500_000)], {
      usage: [usage('gpt-4o-2024-08-06', 1, 1000, 100)],
      costs: [cost('gpt-4o', 'input', 0.0025), cost('gpt-4o', 'output', 0.001), { ...cost(null, null, 0.3, 'file search storage'), tokenCost: false, model: 'file search storage' }],
    });
    expect(report.rows.map((r) => [r.model, r.status])).toEqual([['gpt-4o-2024-08-06', 'match'], ['file search storage', 'outside_meter']]);
    expect(report.explainedShare).toBeCloseTo(0.0035 / 0.3035, 9);
    expect(build([], {}, { by: 'day' }).rows).toEqual([]);
  });

  it('web-search fees the meter priced into a model go to the bill\'s own web search line', () => {
    // gpt-4o-2024-08-06: 1,000 in × $2.50 + 100 out × $10 per 1M = $0.0035 of tokens; 3 searches × $10 per 1,000 = $0.03.
    const billed = { usage: [usage('gpt-4o-2024-08-06', 1, 1000, 100)], costs: [cost('gpt-4o', 'input', 0.0025), cost('gpt-4o', 'output', 0.001)] };
    const searchLine = { ...cost(null, null, 0.03, 'web search tool calls'), tokenCost: false, model: 'web search tool calls' };
    const metered = [meter('gpt-4o-2024-08-06', 1, 1000, 100, 33_500_000, { webSearches: 3 })];
    const report = build(metered, { ...billed, costs: [...billed.costs, searchLine] });
    expect(report.rows.map((r) => [r.model, r.status, r.meter.costNano, r.bill.costNano])).toEqual([
      ['gpt-4o-2024-08-06', 'match', 3_500_000, 3_500_000],
      ['web search tool calls', 'outside_meter', 30_000_000, 30_000_000],
    ]);
    expect(report.explainedShare).toBe(1);
    // The bill has no search line (yet): the fees show on a line of their own, not as a drift of the model.
    const alone = build(metered, billed);
    expect(alone.rows.map((r) => [r.model, r.status, r.meter.costNano, r.bill.costNano])).toEqual([
      ['gpt-4o-2024-08-06', 'match', 3_500_000, 3_500_000],
      ['web searches (metered)', 'outside_meter', 30_000_000, 0],
    ]);
    // The whole report's meter total keeps the fees.
    expect(alone.total.meter.costNano).toBe(33_500_000);
  });

  it('web_search_preview fees on a non-reasoning model leave the model row at $25 per search, as the meter priced them', () => {
    // gpt-4o-mini: 1,000 in × $0.15 + 100 out × $0.60 per 1M = $0.00021 of tokens; 2 searches on
    // web_search_preview × $25 per 1,000 = $0.05, 1 on web_search × $10 per 1,000 = $0.01: metered 60,210,000.
    const billed = { usage: [usage('gpt-4o-mini', 1, 1000, 100)], costs: [cost('gpt-4o-mini', 'input', 0.00015), cost('gpt-4o-mini', 'output', 0.00006)] };
    const metered = [meter('gpt-4o-mini', 1, 1000, 100, 60_210_000, { webSearches: 3, previewWebSearches: 2 })];
    const report = build(metered, billed);
    expect(report.rows.map((r) => [r.model, r.status, r.meter.costNano, r.bill.costNano])).toEqual([
      ['gpt-4o-mini', 'match', 210_000, 210_000],
      ['web searches (metered)', 'outside_meter', 60_000_000, 0],
    ]);
  });

  it('file-search fees the meter priced into a model go to the bill\'s file search tool call line, never to file search storage', () => {
    // gpt-4o-2024-08-06: $0.0035 of tokens; 4 file searches × $2.50 per 1,000 = $0.01; 1 web search × $10 per 1,000 = $0.01.
    const billed = { usage: [usage('gpt-4o-2024-08-06', 1, 1000, 100)], costs: [cost('gpt-4o', 'input', 0.0025), cost('gpt-4o', 'output', 0.001)] };
    const line = (label: string, usd: number): ProviderCost => ({ ...cost(null, null, usd, label), tokenCost: false, model: label });
    const storage = line('file search storage', 0.3);
    const metered = [meter('gpt-4o-2024-08-06', 1, 1000, 100, 23_500_000, { webSearches: 1, fileSearches: 4 })];
    const report = build(metered, { ...billed, costs: [...billed.costs, storage, line('file search tool calls', 0.01), line('web search tool calls', 0.01)] });
    expect(report.rows.map((r) => [r.model, r.status, r.meter.costNano, r.bill.costNano])).toEqual([
      ['gpt-4o-2024-08-06', 'match', 3_500_000, 3_500_000],
      ['file search storage', 'outside_meter', 0, 300_000_000],
      ['file search tool calls', 'outside_meter', 10_000_000, 10_000_000],
      ['web search tool calls', 'outside_meter', 10_000_000, 10_000_000],
    ]);
    // Only a storage line on the bill: the fees show on a line of their own, the storage line keeps none of them.
    const alone = build(metered, { ...billed, costs: [...billed.costs, storage] });
    expect(alone.rows.map((r) => [r.model, r.status, r.meter.costNano, r.bill.costNano])).toEqual([
      ['gpt-4o-2024-08-06', 'match', 3_500_000, 3_500_000],
      ['file search storage', 'outside_meter', 0, 300_000_000],
      ['file searches (metered)', 'outside_meter', 10_000_000, 0],
      ['web searches (metered)', 'outside_meter', 10_000_000, 0],
    ]);
    expect(alone.total.meter.costNano).toBe(23_500_000);
  });

  it('unpriced metered calls make a price drift that says so', () => {
    const r = build([meter('acme-llm', 3, 3000, 300, 0, { unpriced: 3 })], { usage: [usage('acme-llm', 3, 3000, 300)], costs: [cost('acme-llm', null, 0.5)] }).rows[0]!;
    expect(r.status).toBe('price_drift');
    expect(r.explanation).toContain('3 metered calls have no price for acme-llm');
  });

  it('metered calls without a price are never a match (docs/reconcile.md): missing at the provider when it reports none, else price drift', () => {
    // 1 call at $0.00 (no price), the provider reports nothing: the difference cannot be valued, so no tolerance hides it.
    const missing = build([meter('acme-llm', 1, 1000, 100, 0, { unpriced: 1 })], {}).rows[0]!;
    expect(missing.status).toBe('missing_at_provider');
    expect(missing.explanation).toContain('The meter counted 1 call that OpenAI does not report');
    expect(missing.explanation).toContain('1 metered call has no price for acme-llm');
    // Same requests and tokens, billed within the tolerance: still named, as a price drift.
    const named = build([meter('acme-llm', 1, 1000, 100, 0, { unpriced: 1 })], { usage: [usage('acme-llm', 1, 1000, 100)], costs: [cost('acme-llm', null, 0.001)] }).rows[0]!;
    expect(named.status).toBe('price_drift');
    expect(named.explanation).toContain('1 metered call has no price for acme-llm');
  });

  it('without request counts, more input tokens is unmetered traffic and equal input with a different split is token drift', () => {
    const m = [meter('gpt-4o', 10, 100_000, 10_000, 0.35 * USD)];
    const more = build(m, { requestCounts: false, usage: [usage('gpt-4o', null, 130_000, 13_000)], costs: [cost('gpt-4o', null, 0.455)] }).rows[0]!;
    expect([more.status, more.unmeteredRequests, more.requestsEstimated]).toEqual(['unmetered_traffic', 3, true]);
    const cut = build(m, { requestCounts: false, usage: [usage('gpt-4o', null, 100_000, 14_000)], costs: [cost('gpt-4o', null, 0.39)] }).rows[0]!;
    expect([cut.status, cut.driftedTokens]).toEqual(['token_drift', ['output']]);
  });

  it('--by day sums models; totals add every row', () => {
    const r = build([meter('gpt-4o', 1, 1000, 100, 3_500_000), meter('gpt-4o-mini', 1, 1000, 100, 210_000)], { usage: [usage('gpt-4o', 1, 1000, 100), usage('gpt-4o-mini', 1, 1000, 100)] }, { by: 'day' });
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({ day: DAY, model: null });
    expect(r.rows[0]!.meter.calls).toBe(2);
    expect(r.total.meter.costNano).toBe(3_710_000);
  });
});

describe('reconcile parsers', () => {
  it('reads OpenAI line items, Anthropic cent amounts, --tolerance and the day window', () => {
    expect(parseLineItem('gpt-4o-2024-08-06, cached input')).toEqual({ model: 'gpt-4o-2024-08-06', rate: 'cached_input', tokenCost: true });
    expect(parseLineItem('gpt-4o-audio-preview, Audio input')).toEqual({ model: 'gpt-4o-audio-preview', rate: null, tokenCost: true });
    expect(parseLineItem('web search tool calls')).toEqual({ model: 'web search tool calls', rate: null, tokenCost: false });
    expect(parseLineItem(null)).toEqual({ model: null, rate: null, tokenCost: false });
    expect(centsToNano('123.78912', 'x')).toBe(1_237_891_200);
    expect(centsToNano('0.000000051', 'x')).toBe(1);
    expect(() => centsToNano('12,5', 'cost_report: data[0].results[1].amount')).toThrow('cost_report: data[0].results[1].amount is "12,5", expected a decimal amount in cents');
    expect(parseTolerance('1%,0.05')).toEqual({ percent: 1, usdNano: 50_000_000 });
    expect(parseTolerance('$2')).toEqual({ percent: 0.5, usdNano: 2 * USD });
    expect(() => parseTolerance('1%,2%')).toThrow('--tolerance "1%,2%" must be a percentage and/or a USD amount');
    expect(dayWindow({ since: Date.parse('2026-11-01T09:30:00Z'), until: Date.parse('2026-11-03T00:00:00Z') })).toEqual({
      since: Date.parse('2026-11-01T00:00:00Z'),
      until: Date.parse('2026-11-03T00:00:00Z'),
    });
    expect(dayWindow({ since: 0, until: Date.parse('2026-11-03T00:00:01Z') }).until).toBe(Date.parse('2026-11-04T00:00:00Z'));
  });
  // A trial: a bill of nothing against $0.275 metered read "The meter explains 100.0% of the bill".
  it('does not say the meter explains the bill when the provider billed nothing and the meter has spend', () => {
    const report = build([meter('gpt-4o-mini', 2, 1000, 100, 275_000_000)], {});
    const table = renderReconcileTable(report, { color: false });
    expect(table).not.toContain('The meter explains');
    expect(table).toContain('The provider billed nothing in this window against $0.275 metered');
  });
});
