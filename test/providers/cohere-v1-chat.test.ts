import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { createCohereAdapter } from '../../src/providers/cohere.js';
import { usage } from './support.js';

/**
 * cohere-ai 8.1.0's default client (`new CohereClient()`, Client.d.ts:116 `chat`, not
 * deprecated) posts to `/v1/chat` (Client.js:128) and answers a NonStreamedChatResponse whose
 * `meta: ApiMeta` (api/types/NonStreamedChatResponse.d.ts:23) carries `billed_units`:
 * `input_tokens` "The number of billed input tokens", `output_tokens` "The number of billed
 * output tokens" (api/types/ApiMetaBilledUnits.d.ts). Only CohereClientV2 uses `/v2/chat`.
 * tokometer meters `/v2/chat` alone and forwards `/v1/chat` unmetered, at $0.
 */

const adapter = createCohereAdapter();
const pricer = createPricer();
const at = Date.parse('2026-12-01T12:00:00Z');

const ANSWER = {
  response_id: 'r1',
  text: 'Paris.',
  generation_id: 'g1',
  finish_reason: 'COMPLETE',
  meta: { api_version: { version: '1' }, billed_units: { input_tokens: 2000, output_tokens: 100 }, tokens: { input_tokens: 2070, output_tokens: 100 } },
};

describe('Cohere v1 chat (CohereClient.chat)', () => {
  // command-r-plus (catalog): $2.50 in / $10 out per 1M = 2,500 / 10,000 nano per token.
  //   billed:   2,000 × 2,500 + 100 × 10,000 = 5,000,000 + 1,000,000 = 6,000,000 nano ($0.006)
  //   recorded: endpoint `other`, unmetered: no usage, $0
  it('meters POST /v1/chat on meta.billed_units: 6,000,000 nano-USD on command-r-plus', () => {
    const info = adapter.describe('POST', '/v1/chat', { model: 'command-r-plus', message: 'Capital of France?' });
    expect(info).toMatchObject({ metered: true, kind: 'chat', model: 'command-r-plus' });
    const observed = adapter.usageFromJson(info, ANSWER);
    expect(observed.usage).toEqual(usage({ inputTokens: 2000, outputTokens: 100 }));
    const r = pricer.price(observed.usage!, { provider: 'cohere', model: 'command-r-plus', at });
    expect(r.priced && r.costNano).toBe(6_000_000);
  });
});
