import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { createGeminiAdapter } from '../../src/providers/gemini.js';
import { replayStream } from './support.js';

/**
 * The Gemini Interactions API (`client.interactions.create` in @google/genai 2.32.0) runs a
 * model on `POST /v1beta/interactions` (dist/index.cjs:14979, `"/{api_version}/interactions"`,
 * api_version defaulting to `v1beta`, :8083), with the model in the body (`model`), and
 * answers an Interaction whose `usage` holds "Statistics on the interaction request's token
 * usage" (dist/genai.d.ts:9340): `total_input_tokens` "Number of tokens in the prompt
 * (context)" and `total_output_tokens` "Total number of tokens across all the generated
 * responses" (:18685-18691), plus cached, thought and tool-use counts. Streamed, the
 * `interaction.completed` event carries the interaction (:9373) and `step.stop` a usage.
 * tokometer's Gemini adapter knows only `models/{model}:{method}` paths, so the call is
 * forwarded as `other`, unmetered, and recorded at $0.
 */

const adapter = createGeminiAdapter();
const pricer = createPricer();
const at = Date.parse('2026-12-01T12:00:00Z');

const REQUEST = { model: 'gemini-2.5-flash', input: 'Summarise the attached report.' };
const USAGE = { total_input_tokens: 1000, total_output_tokens: 200, total_tokens: 1200 };
const INTERACTION = { id: 'int_1', object: 'interaction', model: 'gemini-2.5-flash', status: 'completed', usage: USAGE };

describe('Gemini Interactions API', () => {
  it('meters POST /v1beta/interactions with the model of its body', () => {
    expect(adapter.describe('POST', '/v1beta/interactions', REQUEST)).toMatchObject({ metered: true, model: 'gemini-2.5-flash', streaming: false });
    expect(adapter.describe('POST', '/v1beta/interactions', { ...REQUEST, stream: true })).toMatchObject({ metered: true, streaming: true });
  });

  // gemini-2.5-flash (catalog): $0.30 in / $2.50 out per 1M = 300 / 2,500 nano per token.
  //   billed:   1,000 × 300 + 200 × 2,500 = 300,000 + 500,000 = 800,000 nano ($0.0008)
  //   recorded: endpoint `other`, unmetered: no usage, $0
  it('reads the usage of the interaction: 800,000 nano-USD on gemini-2.5-flash', () => {
    const info = adapter.describe('POST', '/v1beta/interactions', REQUEST);
    const observed = adapter.usageFromJson(info, INTERACTION);
    expect(observed.usage).toMatchObject({ inputTokens: 1000, outputTokens: 200 });
    const r = pricer.price(observed.usage!, { provider: 'gemini', model: 'gemini-2.5-flash', at });
    expect(r.priced && r.costNano).toBe(800_000);
  });

  // AutomaticContinuationOption (dist/genai.d.ts:1037-1090): a long decode stops at
  // `requires_continuation` and the SDK sends one more POST per hop, "Billing note: with
  // `background: false`, each continuation hop re-prefills the conversation and generated
  // prefix, so input tokens are billed on every hop". With `store` on, a hop names the
  // previous hop as `previous_interaction_id`, carries the `continuation_token` and no input.
  it('meters every continuation hop, each billed for its own usage', () => {
    const hop = { model: 'gemini-2.5-flash', previous_interaction_id: 'int_1', continuation_token: 'ct_1' };
    const info = adapter.describe('POST', '/v1beta/interactions', hop);
    expect(info).toMatchObject({ metered: true, model: 'gemini-2.5-flash' });
    const second = { id: 'int_2', model: 'gemini-2.5-flash', status: 'completed', usage: { total_input_tokens: 1200, total_output_tokens: 150, total_tokens: 1350 } };
    expect(adapter.usageFromJson(info, second).usage).toMatchObject({ inputTokens: 1200, outputTokens: 150 });
  });

  it('reads the usage of a streamed interaction (interaction.completed)', () => {
    const event = (data: object): string => `event: ${(data as { event_type: string }).event_type}\ndata: ${JSON.stringify(data)}\n\n`;
    const body =
      event({ event_type: 'interaction.created', interaction: { id: 'int_1', model: 'gemini-2.5-flash', status: 'in_progress' } }) +
      event({ event_type: 'step.delta', index: 0, delta: { type: 'text', text: 'The report…' } }) +
      event({ event_type: 'interaction.completed', interaction: { id: 'int_1', model: 'gemini-2.5-flash', status: 'completed', usage: USAGE } });
    const info = adapter.describe('POST', '/v1beta/interactions', { ...REQUEST, stream: true });
    const { observed } = replayStream(adapter, info, { stripInjectedUsage: false }, body);
    expect(observed.usage).toMatchObject({ inputTokens: 1000, outputTokens: 200 });
  });
});
