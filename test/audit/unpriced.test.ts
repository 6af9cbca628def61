import { describe, expect, it } from 'vitest';
import { unpriced } from '../../src/audit/detectors/unpriced.js';
import { MINUTE, SINCE, factOf, findings, many } from './helpers.js';

describe('unpriced models', () => {
  it('lists models with token counts but no price, with the prices: snippet to add', async () => {
    // 7 calls of 1,000 in / 100 out on a model no catalog knows: 7,000 / 700 tokens not counted anywhere.
    const specs = many(7, () => ({ model: 'acme-llm-7b', provider: 'together', cost: null, cached: 200 }));
    const [f, ...rest] = await findings(specs, unpriced);
    expect(rest).toEqual([]);
    expect(f!.kind).toBe('notice');
    expect(f!.scope).toEqual({ provider: 'together', model: 'acme-llm-7b' });
    expect(f!.evidence).toMatchObject({ calls: 7, costNano: 0, inputTokens: 7000, outputTokens: 700 });
    expect(factOf(f!, 'cached_input_tokens')).toBe(1400);
    expect(f!.snippet).toBe('prices:\n  acme-llm-7b: { provider: together, input: 0.00, cached_input: 0.00, output: 0.00 }   # USD per 1M tokens: fill in');
    expect(f!.savingPerMonthNano).toBe(0);
  });

  it('quotes model names YAML would misread', async () => {
    const [f] = await findings(many(3, () => ({ model: 'acme/llm:free', provider: 'openrouter', cost: null })), unpriced);
    expect(f!.snippet).toContain('"acme/llm:free": { provider: openrouter');
  });

  it('says a per-image model (dall-e-3 on images.generations, no tokens) has no token price to add: no prices: snippet, no "known now"', async () => {
    // 4 dall-e-3 images recorded without tokens, unpriced (providers/openai-images.ts usagelessImages).
    const specs = many(4, () => ({ model: 'dall-e-3', endpoint: 'images.generations', input: 0, output: 0, cost: null }));
    const [f, ...rest] = await findings(specs, unpriced);
    expect(rest).toEqual([]);
    expect(f!.title).toBe('dall-e-3 (openai): 4 calls billed per image, with no price — not in any total');
    expect(f!.snippet).toBeUndefined();
    expect(f!.fix).toBe("dall-e-3 is billed per image, and tokometer prices tokens only: a price under prices: cannot count these calls (docs/prices.md, \"OpenAI Images API\"). Their number is in report --by model; GPT image models (gpt-image-1 and later) are billed by tokens and counted.");
    expect(f!.confidence.reason).toBe('The calls are images answered without token counts (billed per image).');
  });

  it('says an OCR model billed per page (pages, no tokens) cannot be priced under prices: yet: no token snippet', async () => {
    const specs = many(3, () => ({ model: 'mistral-ocr-2606', provider: 'mistral', endpoint: 'ocr', input: 0, output: 0, cost: null }));
    const [f, ...rest] = await findings(specs, unpriced);
    expect(rest).toEqual([]);
    expect(f!.title).toBe('mistral-ocr-2606 (mistral): 3 calls billed per page, with no price — not in any total');
    expect(f!.snippet).toBeUndefined();
    expect(f!.fix).toBe(`mistral-ocr-2606 is billed per page, and prices: has no field for pages yet: these calls stay uncounted until the catalog prices it (tokometer prices show mistral-ocr-2606; docs/prices.md, "Documents billed per page").`);
  });

  it('stays silent for priced calls, unknown usage and unmetered endpoints', async () => {
    const priced = many(5, () => ({ model: 'gpt-4o' }));
    const unknownUsage = many(5, (i) => ({ at: SINCE + (10 + i) * MINUTE, model: 'acme-llm-7b', usage: false, cost: null }));
    const unmetered = many(5, (i) => ({ at: SINCE + (20 + i) * MINUTE, model: 'acme-llm-7b', endpoint: 'other', cost: null, usageSource: 'not_metered' as const }));
    expect(await findings([...priced, ...unknownUsage, ...unmetered], unpriced)).toEqual([]);
  });
});
