import type { CatalogModel, CatalogProvider, ConditionalPrice, ModelPrice } from './catalog-data.js';

/**
 * tokometer's own price corrections, in the catalog's shape (USD per 1M tokens; a list of
 * prices = dated history, the catalog's ConditionalPrice rules). They win over the catalog
 * (genai-prices@0.1.8) and lose to the user's config. Within a provider the first matching
 * entry wins, so specific entries come before broad ones.
 *
 * Every entry says what the catalog gets wrong or lacks, and where the number comes from.
 * When a catalog upgrade fixes an entry, delete it here (test/pricing/regression.test.ts
 * pins the effective prices).
 */
export const OVERRIDE_MODELS: Readonly<Record<string, readonly CatalogModel[]>> = {
  openai: [
    {
      // Catalog prices audio tokens as text. The first audio snapshot launched at $100/$200
      // per 1M audio tokens in/out (OpenAI pricing, Oct 2024); text $2.50/$10.
      id: 'gpt-4o-audio-preview-2024-10-01',
      match: { equals: 'gpt-4o-audio-preview-2024-10-01' },
      prices: { input_mtok: 2.5, output_mtok: 10, input_audio_mtok: 100, output_audio_mtok: 200 },
    },
    {
      // Catalog lacks audio prices. Later snapshots (2024-12-17, 2025-06-03) and the alias:
      // audio $40 in / $80 out, text $2.50 / $10 (OpenAI pricing page).
      id: 'gpt-4o-audio-preview',
      match: { starts_with: 'gpt-4o-audio-preview' },
      prices: { input_mtok: 2.5, output_mtok: 10, input_audio_mtok: 40, output_audio_mtok: 80 },
    },
    {
      // Catalog lacks audio prices. gpt-4o-mini-audio-preview: audio $10 in / $20 out, text
      // $0.15 / $0.60 (OpenAI pricing page; same audio rates as the catalog's gpt-4o-mini-realtime-preview).
      id: 'gpt-4o-mini-audio-preview',
      match: { starts_with: 'gpt-4o-mini-audio' },
      prices: { input_mtok: 0.15, output_mtok: 0.6, input_audio_mtok: 10, output_audio_mtok: 20 },
    },
  ],
  anthropic: [
    {
      // Catalog has no long-context tier for Sonnet 4 (it has one for Sonnet 4.5). With the
      // 1M-context beta, prompts above 200k tokens cost $6 in / $22.50 out, cache write
      // $7.50 (5m) / $12 (1h), cache read $0.60 (Anthropic pricing, long context pricing).
      // Same name patterns as the catalog's claude-sonnet-4-0.
      id: 'claude-sonnet-4-0',
      name: 'Claude Sonnet 4',
      match: {
        or: [
          { starts_with: 'claude-sonnet-4-2025' },
          { starts_with: 'claude-sonnet-4-0' },
          { starts_with: 'claude-sonnet-4@' },
          { equals: 'claude-sonnet-4' },
          { starts_with: 'claude-4-sonnet' },
        ],
      },
      prices: {
        input_mtok: { base: 3, tiers: [{ start: 200_000, price: 6 }] },
        cache_read_mtok: { base: 0.3, tiers: [{ start: 200_000, price: 0.6 }] },
        cache_write_mtok: { base: 3.75, tiers: [{ start: 200_000, price: 7.5 }] },
        cache_write_1h_mtok: { base: 6, tiers: [{ start: 200_000, price: 12 }] },
        output_mtok: { base: 15, tiers: [{ start: 200_000, price: 22.5 }] },
        web_searches_kcount: 10,
      },
    },
  ],
  cohere: [
    {
      // Catalog has the text price alone ($0.12 per 1M), so image tokens (embed
      // meta.billed_units.image_tokens, the adapter's inputImageTokens) were priced as text.
      // Embed 4: $0.12 per 1M text tokens, $0.47 per 1M image tokens (cohere.com/pricing).
      id: 'embed-v4.0',
      name: 'Embed v4.0',
      match: { equals: 'embed-v4.0' },
      prices: { input_mtok: 0.12, input_image_mtok: 0.47 },
      context_window: 128_000,
    },
  ],
  google: [
    {
      // Missing from the catalog. On the Gemini API text-embedding-004 was, as far as we
      // know, free of charge, but we could not confirm a paid-tier price, so it is priced
      // like its successor gemini-embedding-001 ($0.15 per 1M input tokens, catalog) to
      // over- rather than under-state spend. Set `prices: {text-embedding-004: {input: 0}}`
      // in the config if your account is not billed for it.
      id: 'text-embedding-004',
      name: 'Text Embedding 004',
      match: { equals: 'text-embedding-004' },
      prices: { input_mtok: 0.15 },
    },
  ],
  mistral: [
    {
      // Catalog prices the alias as Mistral Large 2 ($2/$6). The alias moved to Mistral
      // Large 3 (mistral-large-2512) at its release, 2025-12-02 (the date the catalog uses
      // for the other Mistral 3 `-latest` aliases): $0.50 in / $1.50 out, cache read $0.05
      // (Mistral pricing; same as the catalog's mistral-large-2512).
      id: 'mistral-large-latest',
      name: 'Mistral Large (latest)',
      match: { equals: 'mistral-large-latest' },
      prices: [
        { prices: { input_mtok: 2, output_mtok: 6 } },
        { constraint: { type: 'start_date', start_date: '2025-12-02' }, prices: { input_mtok: 0.5, cache_read_mtok: 0.05, output_mtok: 1.5 } },
      ],
    },
  ],
  deepseek: [
    {
      // Catalog keeps the V3 prices with the night discount. DeepSeek ended the night
      // discount with V3.1 on 2025-09-05 (16:00 UTC; dated here from midnight):
      // $0.56 miss / $0.07 hit / $1.68 out, then cut prices with V3.2-Exp on 2025-09-29:
      // $0.28 / $0.028 / $0.42 (api-docs.deepseek.com pricing and news). Entries before
      // those dates are the catalog's own. Later alias moves (V4) are unknown to us.
      id: 'deepseek-chat',
      match: { or: [{ starts_with: 'deepseek-chat' }, { equals: 'deepseek-chat-v3-0324' }] },
      prices: deepseekHistory({ input_mtok: 0.27, cache_read_mtok: 0.07, output_mtok: 1.1 }),
    },
    {
      // Same correction for deepseek-reasoner, which has had the same price as deepseek-chat since V3.1.
      id: 'deepseek-reasoner',
      match: { or: [{ equals: 'deepseek-reasoner' }, { starts_with: 'deepseek-r1' }] },
      prices: deepseekHistory({ input_mtok: 0.55, cache_read_mtok: 0.14, output_mtok: 2.19 }),
    },
  ],
};

/**
 * The price history both DeepSeek entries share (USD per 1M tokens): the V3 night-discount
 * price (the same for both models), the model's own V3 day price `v3Day` from 00:30 to 16:30
 * UTC, then the V3.1 (2025-09-05) and V3.2-Exp (2025-09-29) prices, which are one price for
 * both models.
 */
function deepseekHistory(v3Day: ModelPrice): ConditionalPrice[] {
  return [
    { prices: { input_mtok: 0.135, cache_read_mtok: 0.035, output_mtok: 0.55 } },
    { constraint: { type: 'time_of_date', start_time: '00:30:00Z', end_time: '16:30:00Z' }, prices: v3Day },
    { constraint: { type: 'start_date', start_date: '2025-09-05' }, prices: { input_mtok: 0.56, cache_read_mtok: 0.07, output_mtok: 1.68 } },
    { constraint: { type: 'start_date', start_date: '2025-09-29' }, prices: { input_mtok: 0.28, cache_read_mtok: 0.028, output_mtok: 0.42 } },
  ];
}

const providers = new Map<string, CatalogProvider>();

/** The overrides of one catalog provider as a catalog Provider (for the catalog's matcher), or undefined. */
export function overrideProvider(providerId: string): CatalogProvider | undefined {
  const models = OVERRIDE_MODELS[providerId];
  if (!models) return undefined;
  let p = providers.get(providerId);
  if (!p) {
    p = { id: providerId, name: `tokometer overrides (${providerId})`, models: [...models] };
    providers.set(providerId, p);
  }
  return p;
}
