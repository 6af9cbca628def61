import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { NOW, usage } from './support.js';

/**
 * Price regression table: the effective prices (USD per 1M tokens) of current models,
 * written literally, so a catalog upgrade that changes any of them fails here loudly.
 * Taken from genai-prices@0.1.8 plus tokometer's overrides, cross-checked against the
 * providers' published prices (disagreements are noted inline). `cached` null = no cache
 * discount (cache reads billed as input).
 */
const TABLE: Array<[provider: string, model: string, input: number, cached: number | null, output: number | null, source?: 'override']> = [
  ['openai', 'gpt-4o', 2.5, 1.25, 10],
  ['openai', 'gpt-4o-mini', 0.15, 0.075, 0.6],
  ['openai', 'gpt-4.1', 2, 0.5, 8],
  ['openai', 'gpt-4.1-mini', 0.4, 0.1, 1.6],
  ['openai', 'gpt-4.1-nano', 0.1, 0.025, 0.4],
  ['openai', 'o3', 2, 0.5, 8],
  ['openai', 'o4-mini', 1.1, 0.275, 4.4],
  ['openai', 'gpt-5', 1.25, 0.125, 10],
  ['openai', 'gpt-5-mini', 0.25, 0.025, 2],
  ['openai', 'gpt-5-nano', 0.05, 0.005, 0.4],
  ['openai', 'text-embedding-3-small', 0.02, null, null],
  ['openai', 'text-embedding-3-large', 0.13, null, null],
  ['openai', 'gpt-4o-audio-preview', 2.5, null, 10, 'override'],
  ['anthropic', 'claude-sonnet-4-5', 3, 0.3, 15],
  ['anthropic', 'claude-sonnet-4-20250514', 3, 0.3, 15, 'override'],
  ['anthropic', 'claude-opus-4-1', 15, 1.5, 75],
  ['anthropic', 'claude-opus-4-5', 5, 0.5, 25],
  ['anthropic', 'claude-haiku-4-5', 1, 0.1, 5],
  ['anthropic', 'claude-3-5-haiku-latest', 0.8, 0.08, 4],
  ['gemini', 'gemini-2.5-pro', 1.25, 0.125, 10],
  ['gemini', 'gemini-2.5-flash', 0.3, 0.03, 2.5],
  ['gemini', 'gemini-2.5-flash-lite', 0.1, 0.01, 0.4],
  ['gemini', 'gemini-2.0-flash', 0.1, 0.025, 0.4],
  ['gemini', 'gemini-3-pro-preview', 2, 0.2, 12],
  ['gemini', 'gemini-embedding-001', 0.15, null, null],
  ['gemini', 'text-embedding-004', 0.15, null, null, 'override'],
  ['mistral', 'mistral-large-latest', 0.5, 0.05, 1.5, 'override'],
  ['mistral', 'mistral-large-2512', 0.5, 0.05, 1.5],
  ['mistral', 'mistral-medium-2508', 0.4, 0.04, 2],
  // Catalog: still Mistral Small 3.2 prices; mistral-small-2603 ($0.15/$0.60) exists too.
  ['mistral', 'mistral-small-latest', 0.1, null, 0.3],
  ['mistral', 'codestral-latest', 0.3, null, 0.9],
  ['mistral', 'open-mistral-nemo', 0.15, null, 0.15],
  ['cohere', 'command-a-03-2025', 2.5, null, 10],
  ['cohere', 'command-r-08-2024', 0.15, null, 0.6],
  ['cohere', 'command-r-plus-08-2024', 2.5, null, 10],
  ['cohere', 'command-r7b-12-2024', 0.0375, null, 0.15],
  // Override: the catalog lacks Embed 4's image price ($0.47 per 1M image tokens, cohere.com/pricing).
  ['cohere', 'embed-v4.0', 0.12, null, null, 'override'],
  ['groq', 'llama-3.3-70b-versatile', 0.59, null, 0.79],
  ['groq', 'llama-3.1-8b-instant', 0.05, null, 0.08],
  // Groq published $0.15 / $0.75 at launch (Aug 2025); the catalog has $0.60 output.
  ['groq', 'openai/gpt-oss-120b', 0.15, 0.075, 0.6],
  ['groq', 'qwen/qwen3-32b', 0.29, null, 0.59],
  ['deepseek', 'deepseek-chat', 0.28, 0.028, 0.42, 'override'],
  ['deepseek', 'deepseek-reasoner', 0.28, 0.028, 0.42, 'override'],
  ['xai', 'grok-4', 3, 0.75, 15],
  ['xai', 'grok-4-fast-reasoning', 0.2, 0.05, 0.5],
  ['xai', 'grok-code-fast-1', 0.2, 0.02, 1.5],
  ['xai', 'grok-3-mini', 0.3, 0.075, 0.5],
];

const pricer = createPricer();

describe('price regression table', () => {
  it.each(TABLE)('%s %s: $%s in / $%s cached / $%s out per 1M', (provider, model, input, cached, output, source) => {
    const d = pricer.describe(model, provider, NOW);
    expect(d, `${provider}/${model} has no price`).not.toBeNull();
    expect(d!.source).toBe(source ?? 'genai-prices@0.1.8');
    expect([d!.rates.input, d!.rates.cachedInput, d!.rates.output]).toEqual([input, cached, output]);

    // 200k input (the base tier) of which 100k cached, 100k output: a tenth of each per-1M price.
    const r = pricer.price(usage({ inputTokens: 200_000, cacheReadTokens: 100_000, outputTokens: 100_000 }), { provider, model, at: NOW });
    expect(r).toMatchObject({ priced: true, costNano: Math.round((input + (cached ?? input) + (output ?? 0)) * 1e8) });
  });

  it('Anthropic cache writes and the Sonnet long-context tiers', () => {
    const rates = (model: string) => {
      const d = pricer.describe(model, 'anthropic', NOW)!;
      return [d.rates.cacheWrite, d.rates.cacheWrite1h, d.tiers.map((t) => [t.aboveInputTokens, t.rates.input, t.rates.cachedInput, t.rates.cacheWrite, t.rates.cacheWrite1h, t.rates.output])];
    };
    expect(rates('claude-sonnet-4-5')).toEqual([3.75, 6, [[200_000, 6, 0.6, 7.5, 12, 22.5]]]);
    expect(rates('claude-sonnet-4-0')).toEqual([3.75, 6, [[200_000, 6, 0.6, 7.5, 12, 22.5]]]);
    expect(rates('claude-opus-4-1')).toEqual([18.75, 30, []]);
    expect(rates('claude-haiku-4-5')).toEqual([1.25, 2, []]);
  });

  it('audio prices', () => {
    const audio = (model: string) => {
      const d = pricer.describe(model, 'openai', NOW)!;
      return [d.rates.inputAudio, d.rates.outputAudio];
    };
    expect(audio('gpt-4o-audio-preview')).toEqual([40, 80]);
    expect(audio('gpt-4o-audio-preview-2024-10-01')).toEqual([100, 200]);
    expect(audio('gpt-4o-mini-audio-preview')).toEqual([10, 20]);
    expect(audio('gpt-audio')).toEqual([32, 64]);
  });
});
