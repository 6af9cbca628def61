import { describe, expect, it } from 'vitest';
import { EstimatePrices } from '../../src/budget/estimate-prices.js';
import { LedgerGate } from '../../src/budget/gate.js';
import { BudgetLedger } from '../../src/budget/ledger.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { createCohereAdapter } from '../../src/providers/cohere.js';
import type { ResolvedKey } from '../../src/proxy/auth.js';
import { modelRefusal } from '../../src/proxy/model-allow-list.js';
import { replayStream, usage } from './support.js';

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

describe('Cohere v1 chat: what the budget and the allow-list see', () => {
  // docs.cohere.com/v1/reference/chat (and /reference/chat-stream), body `model`: "Defaults to
  // command-r-plus-08-2024." A request naming none runs (and is billed as) that model.
  it('takes a v1 chat without a model as command-r-plus-08-2024, with its max_tokens and stream flag', () => {
    const info = adapter.describe('POST', '/v1/chat', { message: 'hi', stream: true, max_tokens: 300 });
    expect(info).toMatchObject({ endpoint: 'v1.chat', kind: 'chat', metered: true, model: 'command-r-plus-08-2024', streaming: true, maxOutputTokens: 300 });
  });

  // What the handler hands the budget gate (handler.ts), for a 4,000-byte body asking 300 tokens:
  //   1,000 prompt tokens × 2,500,000 pico + 300 × 10,000,000 pico = 5,500,000,000 pico = 5,500,000 nano
  // (command-r-plus-08-2024 at $2.50 / $10 per 1M). Before: unmetered, no model: 0 reserved.
  it('reserves budget for a model-less v1 chat at the default model prices: 5,500,000 nano-USD', () => {
    const info = adapter.describe('POST', '/v1/chat', { message: 'hi', max_tokens: 300 });
    const gate = new LedgerGate(new BudgetLedger({ clock: () => at, timeZone: 'UTC', keyBudgets: new Map() }), new EstimatePrices(pricer));
    const estimate = gate.estimate({ keyName: 'k', tags: {}, provider: 'cohere', model: info.model, metered: info.metered, promptBytes: 4000, maxOutputTokens: info.maxOutputTokens, outputChoices: 1, at });
    expect(estimate).toBe(5_500_000);
  });

  // Before: /v1/chat was unmetered and named no model, so a key allowed only command-r (150 /
  // 600 nano per token) passed a request that runs command-r-plus-08-2024 (2,500 / 10,000).
  it('refuses a v1 chat that names no model for a key allowed only command-r', () => {
    const key = { name: 'cheap', models: ['command-r'] } as unknown as ResolvedKey;
    expect(modelRefusal(key, adapter.describe('POST', '/v1/chat', { message: 'hi' }))?.message).toMatch(/may not use model 'command-r-plus-08-2024'/);
    expect(modelRefusal(key, adapter.describe('POST', '/v1/chat', { model: 'command-r', message: 'hi' }))).toBeNull();
  });

  // With `Accepts: text/event-stream` the same events come as SSE frames (data = the event JSON).
  it('meters the server-sent-events form of a v1 stream on its stream-end: 6,000,000 nano-USD', () => {
    const info = adapter.describe('POST', '/v1/chat', { model: 'command-r-plus', message: 'hi', stream: true });
    const events = [
      { is_finished: false, event_type: 'stream-start', generation_id: 'g1' },
      { is_finished: false, event_type: 'text-generation', text: 'Paris.' },
      { is_finished: true, event_type: 'stream-end', finish_reason: 'COMPLETE', response: ANSWER },
    ];
    const sse = events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('');
    const { observed } = replayStream(adapter, info, adapter.prepare(info, {}, new Uint8Array()), sse);
    expect(observed).toEqual({ model: null, usage: usage({ inputTokens: 2000, outputTokens: 100 }) });
    const r = pricer.price(observed.usage!, { provider: 'cohere', model: 'command-r-plus', at });
    expect(r.priced && r.costNano).toBe(6_000_000);
    // Were the event named only by an `event:` line, the stream-end frame is still read.
    const named = `event: stream-end\ndata: ${JSON.stringify({ is_finished: true, response: ANSWER })}\n\n`;
    expect(replayStream(adapter, info, adapter.prepare(info, {}, new Uint8Array()), named).observed.usage).toEqual(usage({ inputTokens: 2000, outputTokens: 100 }));
  });
});
