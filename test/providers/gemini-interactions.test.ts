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

/**
 * The usage shape. js-genai 2.32.0 dist/genai.d.ts:18655-18720 documents each total with the
 * words of the generateContent UsageMetadata field it mirrors (:18692-18710 against
 * thoughtsTokenCount, candidatesTokenCount, toolUsePromptTokenCount, cachedContentTokenCount),
 * and total_tokens as "prompt + responses + other internal tokens": thoughts and tool-use
 * prompts sit beside the input and output totals, the cached tokens inside the input. A
 * published answer shows it (9 input + 779 output + 912 thoughts = total_tokens 1,700).
 */
describe('Gemini Interactions usage', () => {
  // gemini-2.5-flash (catalog): 300 nano per input token, 30 per cached one, 2,500 per output.
  //   input  = 1,000 + 300 tool use = 1,300, of which 600 cached
  //   output = 200 + 800 thoughts = 1,000 (800 reasoning)
  //   billed: 700 × 300 + 600 × 30 + 1,000 × 2,500 = 210,000 + 18,000 + 2,500,000 = 2,728,000 nano
  it('bills thoughts as output and tool-use prompts as input, cached tokens inside the input: 2,728,000 nano-USD', () => {
    const usage = { total_input_tokens: 1000, total_cached_tokens: 600, total_tool_use_tokens: 300, total_output_tokens: 200, total_thought_tokens: 800, total_tokens: 2300 };
    const info = adapter.describe('POST', '/v1beta/interactions', REQUEST);
    const observed = adapter.usageFromJson(info, { ...INTERACTION, usage });
    expect(observed.usage).toMatchObject({ inputTokens: 1300, cacheReadTokens: 600, outputTokens: 1000, reasoningTokens: 800 });
    const r = pricer.price(observed.usage!, { provider: 'gemini', model: 'gemini-2.5-flash', at });
    expect(r.priced && r.costNano).toBe(2_728_000);
  });

  it('does not add thoughts twice when total_tokens shows them inside the output total', () => {
    // 1,000 + 200 = 1,200 = total_tokens: the 150 thought tokens are among the 200.
    const usage = { total_input_tokens: 1000, total_output_tokens: 200, total_thought_tokens: 150, total_tokens: 1200 };
    const observed = adapter.usageFromJson(adapter.describe('POST', '/v1beta/interactions', REQUEST), { ...INTERACTION, usage });
    expect(observed.usage).toMatchObject({ inputTokens: 1000, outputTokens: 200, reasoningTokens: 150 });
  });

  it('reads audio input and image output from the modality breakdowns (lower-case modalities)', () => {
    const usage = {
      total_input_tokens: 1000,
      input_tokens_by_modality: [{ modality: 'text', tokens: 400 }, { modality: 'audio', tokens: 600 }],
      total_output_tokens: 1290,
      output_tokens_by_modality: [{ modality: 'image', tokens: 1290 }],
    };
    const observed = adapter.usageFromJson(adapter.describe('POST', '/v1beta/interactions', REQUEST), { ...INTERACTION, usage });
    expect(observed.usage).toMatchObject({ inputTokens: 1000, inputAudioTokens: 600, outputTokens: 1290, outputImageTokens: 1290 });
  });
});

describe('Gemini Interactions requests', () => {
  it('reads the output bound of generation_config and the interaction a request continues', () => {
    const info = adapter.describe('POST', '/v1beta/interactions', { ...REQUEST, generation_config: { max_output_tokens: 2048 }, previous_interaction_id: 'int_0' });
    expect(info).toMatchObject({ endpoint: 'interactions', metered: true, maxOutputTokens: 2048, continues: 'int_0' });
    // The answer's id is what a later request continues.
    expect(adapter.usageFromJson(info, INTERACTION).responseId).toBe('int_1');
  });

  it('leaves reads, cancels and deletes of an interaction unmetered (no tokens billed)', () => {
    for (const [method, path] of [['GET', '/v1beta/interactions/int_1'], ['POST', '/v1beta/interactions/int_1/cancel'], ['DELETE', '/v1beta/interactions/int_1']] as const) {
      expect(adapter.describe(method, path, undefined), `${method} ${path}`).toMatchObject({ endpoint: 'other', metered: false });
    }
  });

  it('a failed interaction is recorded as failed, with its usage', () => {
    const failed = { ...INTERACTION, status: 'failed', errors: [{ code: 'internal', message: 'model overloaded' }] };
    const observed = adapter.usageFromJson(adapter.describe('POST', '/v1beta/interactions', REQUEST), failed);
    expect(observed).toMatchObject({ usage: { inputTokens: 1000, outputTokens: 200 }, failed: 'interaction failed: model overloaded' });
  });
});

describe('Gemini Interactions streams', () => {
  const event = (data: object): string => `event: ${(data as { event_type: string }).event_type}\ndata: ${JSON.stringify(data)}\n\n`;
  const info = adapter.describe('POST', '/v1beta/interactions', { ...REQUEST, stream: true });

  it('takes the model of interaction.created and the last running total when the stream is cut before interaction.completed', () => {
    const body =
      event({ event_type: 'interaction.created', interaction: { id: 'int_1', model: 'gemini-2.5-flash', status: 'in_progress' } }) +
      event({ event_type: 'step.delta', index: 0, delta: { type: 'text', text: 'The' }, metadata: { total_usage: { total_input_tokens: 1000, total_output_tokens: 40 } } }) +
      event({ event_type: 'step.stop', index: 0, step_usage: { total_output_tokens: 90 }, usage: { total_input_tokens: 1000, total_output_tokens: 90, total_thought_tokens: 30 } });
    const { observed } = replayStream(adapter, info, { stripInjectedUsage: false }, body);
    expect(observed).toMatchObject({ model: 'gemini-2.5-flash', usage: { inputTokens: 1000, outputTokens: 120, reasoningTokens: 30 } });
  });

  it('an error event fails the call', () => {
    const body =
      event({ event_type: 'interaction.created', interaction: { id: 'int_1', model: 'gemini-2.5-flash', status: 'in_progress' } }) +
      event({ event_type: 'error', error: { code: 'resource_exhausted', message: 'quota' } });
    const { observed } = replayStream(adapter, info, { stripInjectedUsage: false }, body);
    expect(observed.failed).toBe('stream error: resource_exhausted (quota)');
  });
});

/**
 * Agent interactions name an `agent` instead of a model (CreateAgentInteraction,
 * dist/genai.d.ts:2498; e.g. deep-research-pro-preview-12-2025), which runs models and tools
 * of its own choosing, billed as their tokens (and tool fees). No price of tokometer's is the
 * agent's: recorded with their usage, unpriced, whatever model an answer names.
 */
describe('Gemini agent interactions', () => {
  const AGENT = { agent: 'deep-research-pro-preview-12-2025', input: 'Research the history of Google TPUs.' };
  const ANSWER = { id: 'int_9', agent: 'deep-research-pro-preview-12-2025', model: 'gemini-3-pro-preview', status: 'completed', usage: { total_input_tokens: 250_000, total_output_tokens: 12_000, total_thought_tokens: 30_000 } };

  it('are metered as interactions.agent with no model', () => {
    expect(adapter.describe('POST', '/v1beta/interactions', AGENT)).toMatchObject({ endpoint: 'interactions.agent', kind: 'responses', metered: true, model: null });
  });

  it('keep their usage but not the model an answer names (the agent picks it; pricing it at that model would be a guess)', () => {
    const observed = adapter.usageFromJson(adapter.describe('POST', '/v1beta/interactions', AGENT), ANSWER);
    expect(observed).toMatchObject({ model: null, usage: { inputTokens: 250_000, outputTokens: 42_000, reasoningTokens: 30_000 } });
  });

  it('streamed, the same', () => {
    const event = (data: object): string => `event: ${(data as { event_type: string }).event_type}\ndata: ${JSON.stringify(data)}\n\n`;
    const body =
      event({ event_type: 'interaction.created', interaction: { id: 'int_9', agent: AGENT.agent, model: 'gemini-3-pro-preview', status: 'in_progress' } }) +
      event({ event_type: 'interaction.completed', interaction: { ...ANSWER } });
    const info = adapter.describe('POST', '/v1beta/interactions', { ...AGENT, stream: true });
    const { observed } = replayStream(adapter, info, { stripInjectedUsage: false }, body);
    expect(observed).toMatchObject({ model: null, usage: { inputTokens: 250_000, outputTokens: 42_000 } });
  });
});
