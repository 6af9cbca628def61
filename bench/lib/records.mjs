/** The generated call records the store benchmarks write (bench/store-ingest.mjs, bench/pg-ingest.ts). */

const FEATURES = ['summarizer', 'chatbot', 'search', 'classifier', 'extractor', 'translator', 'autocomplete', 'agent', 'moderation', 'embeddings-sync', 'rag-answer', 'email-draft'];
const TIERS = ['free', 'pro', 'enterprise'];
const MODELS = [['gpt-4o-mini', 'gpt-4o-mini-2024-07-18'], ['gpt-4o', 'gpt-4o-2024-08-06'], ['gpt-4.1-nano', 'gpt-4.1-nano-2025-04-14']];

/** A deterministic, realistic call record number `i`, at time `ts` (tags: feature of 12, user_tier of 3, tenant_id of 500). */
export function benchRecord(i, ts) {
  const [requested, model] = MODELS[i % MODELS.length];
  const input = 200 + ((i * 7919) % 4000);
  const output = 20 + ((i * 104729) % 800);
  const streamed = i % 3 === 0;
  return {
    ts,
    keyName: `key-${i % 8}`,
    provider: 'openai',
    endpoint: 'chat.completions',
    modelRequested: requested,
    model,
    status: 200,
    outcome: 'ok',
    streamed,
    usage: { inputTokens: input, outputTokens: output, cacheReadTokens: i % 5 === 0 ? Math.floor(input / 2) : 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0 },
    usageSource: 'reported',
    costNano: input * 150 + output * 600,
    providerCostNano: null,
    priceSource: 'genai-prices@bench',
    latencyMs: 300 + (i % 1700),
    ttfbMs: streamed ? 120 + (i % 300) : null,
    tags: { feature: FEATURES[i % FEATURES.length], user_tier: TIERS[(i >> 2) % TIERS.length], tenant_id: `t_${i % 500}` },
    requestHash: (i * 2654435761 >>> 0).toString(16).padStart(8, '0').repeat(4),
    promptBytes: input * 4,
    maxOutputTokens: 1024,
    error: null,
  };
}
