import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { createMistralAdapter } from '../../src/providers/mistral.js';
import { replayStream, usage } from './support.js';

/**
 * Mistral agents completions (`POST /v1/agents/completions`, `client.agents.complete` /
 * `client.agents.stream` in @mistralai/mistralai 2.7.0) run a chat completion with the
 * agent's model and answer with the same types as chat completions, so they bill the same
 * tokens:
 * - src/funcs/agentsComplete.ts:90 posts to "/v1/agents/completions" and parses the 200 as
 *   `components.ChatCompletionResponse` (line 159), whose `usage: UsageInfo` (prompt_tokens,
 *   completion_tokens, service_tier; src/models/components/chatcompletionresponse.ts:16-23)
 *   is the object tokometer prices on /v1/chat/completions.
 * - src/funcs/agentsStream.ts:96 streams `components.CompletionEvent` chunks, the chat stream's.
 * The request names `agent_id`, not `model` (agentscompletionrequest.ts:192-194): the model
 * is known only from the answer's `model`.
 */

const adapter = createMistralAdapter();
const pricer = createPricer();
const at = Date.parse('2026-12-01T12:00:00Z');

const ANSWER = {
  id: 'cmpl-agent-1',
  object: 'chat.completion',
  model: 'mistral-medium-latest',
  created: 1764590400,
  choices: [{ index: 0, message: { role: 'assistant', content: 'Done.' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1200, completion_tokens: 300, total_tokens: 1500 },
};

describe('Mistral agents completions', () => {
  it('meters POST /v1/agents/completions as a chat call (agent_id, no model in the request)', () => {
    const info = adapter.describe('POST', '/v1/agents/completions', { agent_id: 'ag_123', messages: [], max_tokens: 512, stream: true });
    expect(info).toMatchObject({ endpoint: 'agents.completions', kind: 'chat', metered: true, model: null, streaming: true, maxOutputTokens: 512 });
  });

  // mistral-medium-latest (catalog, from 2026-06-16): $1.5 in / $7.5 out per 1M = 1,500 / 7,500 nano per token.
  //   billed:   1,200 × 1,500 + 300 × 7,500 = 1,800,000 + 2,250,000 = 4,050,000 nano ($0.00405)
  //   recorded: endpoint `other`, unmetered: no usage, $0
  it('reads the usage and model of the answer: 4,050,000 nano-USD on mistral-medium-latest', () => {
    const info = adapter.describe('POST', '/v1/agents/completions', { agent_id: 'ag_123', messages: [] });
    expect(info.metered).toBe(true);
    const observed = adapter.usageFromJson(info, ANSWER);
    expect(observed).toEqual({ model: 'mistral-medium-latest', usage: usage({ inputTokens: 1200, outputTokens: 300 }) });
    const r = pricer.price(observed.usage!, { provider: 'mistral', model: observed.model!, at });
    expect(r.priced && r.costNano).toBe(4_050_000);
  });

  it('reads the usage of an agents stream (last chunk, as chat streams)', () => {
    const chunk = (extra: object): string => `data: ${JSON.stringify({ id: 'cmpl-agent-1', object: 'chat.completion.chunk', model: 'mistral-medium-latest', created: 1764590400, ...extra })}\n\n`;
    const body =
      chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: 'Done' }, finish_reason: null }] }) +
      chunk({ choices: [{ index: 0, delta: { content: '.' }, finish_reason: 'stop' }], usage: ANSWER.usage }) +
      'data: [DONE]\n\n';
    const info = adapter.describe('POST', '/v1/agents/completions', { agent_id: 'ag_123', messages: [], stream: true });
    const { observed } = replayStream(adapter, info, { stripInjectedUsage: false }, body);
    expect(observed).toEqual({ model: 'mistral-medium-latest', usage: usage({ inputTokens: 1200, outputTokens: 300 }) });
  });
});
