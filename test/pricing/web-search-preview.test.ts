import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { isOpenAiReasoningModel } from '../../src/pricing/web-search-fees.js';
import type { Usage } from '../../src/providers/types.js';

/**
 * OpenAI bills the Responses web search tool by its type and the model
 * (platform.openai.com/docs/pricing#built-in-tools, confirmed by OpenAI staff on the forum):
 * `web_search` (and `web_search_2025_08_26`) $10 per 1,000 calls on every model;
 * `web_search_preview` (and `_2025_03_11`) $10 per 1,000 on reasoning models (gpt-5, o-series),
 * $25 per 1,000 on non-reasoning ones (gpt-4o, gpt-4.1 and their minis). The usage says which
 * tool ran the searches (Usage.webSearchPreview).
 */

const pricer = createPricer();
const AT = Date.parse('2026-11-01T00:00:00Z');

/** 1,000 input tokens, 100 output and one search, on the preview tool or not. */
function searched(preview: boolean, searches = 1): Usage {
  const usage: Usage = { inputTokens: 1000, outputTokens: 100, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0, webSearches: searches };
  return preview ? { ...usage, webSearchPreview: true } : usage;
}

function priced(model: string, usage: Usage, provider = 'openai') {
  const r = pricer.price(usage, { provider, model, at: AT });
  if (!r.priced) throw new Error(`${model}: ${r.reason}`);
  return r;
}

describe('the web search fee by tool type and model', () => {
  it('prices a web_search_preview search on gpt-4o-mini at $25 per 1,000 (the trial: 25,210,000 nano, not 10,210,000)', () => {
    // gpt-4o-mini: 1,000 × $0.15 / 1M = 150,000 nano; 100 × $0.60 / 1M = 60,000 nano;
    // 1 search × $25 / 1,000 = 25,000,000 nano. Total 25,210,000.
    const r = priced('gpt-4o-mini', searched(true));
    expect(r.breakdown.webSearch).toBe(25_000_000);
    expect(r.costNano).toBe(25_210_000);
    // Dated snapshots resolve to the same entry: gpt-4o-mini-2024-07-18 likewise.
    expect(priced('gpt-4o-mini-2024-07-18', searched(true)).costNano).toBe(25_210_000);
  });

  it('prices a web_search (GA) search on gpt-4o-mini at $10 per 1,000', () => {
    // 150,000 + 60,000 + 1 × $10 / 1,000 = 10,000,000 → 10,210,000.
    const r = priced('gpt-4o-mini', searched(false));
    expect(r.breakdown.webSearch).toBe(10_000_000);
    expect(r.costNano).toBe(10_210_000);
  });

  it('prices a web_search_preview search on a reasoning model (o3, gpt-5) at $10 per 1,000', () => {
    // o3: 1,000 × $2 / 1M = 2,000,000; 100 × $8 / 1M = 800,000; 1 × $10 / 1,000 = 10,000,000 → 12,800,000.
    const o3 = priced('o3', searched(true));
    expect(o3.breakdown.webSearch).toBe(10_000_000);
    expect(o3.costNano).toBe(12_800_000);
    // gpt-5: 1,000 × $1.25 / 1M = 1,250,000; 100 × $10 / 1M = 1,000,000; + 10,000,000 → 12,250,000.
    expect(priced('gpt-5', searched(true)).costNano).toBe(12_250_000);
    expect(priced('o4-mini', searched(true)).breakdown.webSearch).toBe(10_000_000);
    expect(priced('gpt-5.4-mini', searched(true)).breakdown.webSearch).toBe(10_000_000);
  });

  it('prices the other non-reasoning models (gpt-4o, gpt-4.1 and its mini) at $25 per 1,000 on the preview tool', () => {
    // 3 searches × $25 / 1,000 = 75,000,000 nano; on web_search 3 × $10 / 1,000 = 30,000,000.
    for (const model of ['gpt-4o', 'gpt-4o-2024-08-06', 'gpt-4.1', 'gpt-4.1-mini']) {
      expect(priced(model, searched(true, 3)).breakdown.webSearch, model).toBe(75_000_000);
      expect(priced(model, searched(false, 3)).breakdown.webSearch, model).toBe(30_000_000);
    }
  });

  it('leaves a reasoning model without a catalog search fee (codex-mini) at none, and other providers at their own fee', () => {
    expect(priced('codex-mini-latest', searched(true)).breakdown.webSearch).toBe(0);
    // Anthropic's web search has no preview tool: its $10 per 1,000 stays.
    expect(priced('claude-sonnet-4-5', searched(true), 'anthropic').breakdown.webSearch).toBe(10_000_000);
  });

  it('tells OpenAI reasoning models from the others by family (no catalog field says which reason)', () => {
    const reasoning = ['o1', 'o1-pro', 'o3', 'o3-mini', 'o3-deep-research', 'o4-mini', 'o4-mini-2025-04-16', 'gpt-5', 'gpt-5-mini', 'gpt-5.1-codex-mini', 'gpt-5.4-pro', 'gpt-6-sol', 'codex-mini', 'ft:o4-mini:acme::x1'];
    const others = ['gpt-4o', 'gpt-4o-mini', 'gpt-4o-2024-08-06', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'ft:gpt-4o-mini:acme::x1', 'chatgpt-4o-latest', 'gpt-4-turbo', 'gpt-3.5-turbo'];
    expect(reasoning.filter((m) => !isOpenAiReasoningModel(m))).toEqual([]);
    expect(others.filter((m) => isOpenAiReasoningModel(m))).toEqual([]);
  });
});
