import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { createMistralAdapter } from '../../src/providers/mistral.js';
import { CONVERSATION_ROUTE, conversationRoute } from '../../src/providers/mistral-conversations.js';
import { replayStream, usage } from './support.js';

/**
 * Mistral Conversations (@mistralai/mistralai 2.7.0 `client.beta.conversations`) run a model
 * or an agent on each turn: start `POST /v1/conversations` (betaConversationsStart.ts:93),
 * append `POST /v1/conversations/{conversation_id}` (betaConversationsAppend.ts:105), restart
 * `POST /v1/conversations/{conversation_id}/restart` (betaConversationsRestart.ts:105); each
 * streams with `stream: true` (the `#stream` variants). The answer, ConversationResponse
 * (conversationresponse.ts), carries `usage: ConversationUsageInfo` with the chat counts
 * `prompt_tokens`, `completion_tokens`, `total_tokens` (conversationusageinfo.ts:12-18), and
 * names the model on each `message.output` entry (`model`, messageoutputentry.ts:29). A
 * stream ends with `conversation.response.done` carrying that usage (responsedoneevent.ts),
 * its `message.output.delta` events naming the model (messageoutputevent.ts:25).
 * tokometer forwards all three paths as `other`, unmetered, at $0.
 */

const adapter = createMistralAdapter();
const pricer = createPricer();
const at = Date.parse('2026-12-01T12:00:00Z');

const USAGE = { prompt_tokens: 1200, completion_tokens: 300, total_tokens: 1500 };
const ANSWER = {
  object: 'conversation.response',
  conversation_id: 'conv_123',
  outputs: [{ object: 'entry', type: 'message.output', id: 'msg_1', role: 'assistant', model: 'mistral-medium-latest', content: 'Done.' }],
  usage: USAGE,
};

describe('Mistral conversations', () => {
  it('meters start, append and restart, with the request model when it has one', () => {
    expect(adapter.describe('POST', '/v1/conversations', { model: 'mistral-medium-latest', inputs: 'Hi', stream: true })).toMatchObject({
      endpoint: 'conversations',
      metered: true,
      model: 'mistral-medium-latest',
      streaming: true,
    });
    expect(adapter.describe('POST', '/v1/conversations/conv_123', { inputs: 'And then?' })).toMatchObject({ endpoint: 'conversations', metered: true, model: null });
    expect(adapter.describe('POST', '/v1/conversations/conv_123/restart', { inputs: 'Again', from_entry_id: 'msg_1' })).toMatchObject({ endpoint: 'conversations', metered: true });
  });

  it('routes start, append and restart paths in every spelling, and nothing else (the substring test before the pattern)', () => {
    for (const path of ['/v1/conversations', 'v1/conversations', '/conversations', '/v1/conversations/', '/v1/conversations?x=1', '/v1/conversations/conv_1', '/v1/conversations/conv_1/restart/?a=b']) {
      expect(conversationRoute(path), path).toBe(CONVERSATION_ROUTE);
    }
    for (const path of ['/v1/chat/completions', '/v1/chat/completions?conversations=1', '/v1/conversations/conv_1/history', '/v1/conversations/conv_1/messages', '/v1/agents', '']) {
      expect(conversationRoute(path), path).toBeNull();
    }
  });

  it('reads the output limit of completion_args, and leaves reads of a conversation unmetered', () => {
    expect(adapter.describe('POST', '/v1/conversations', { model: 'mistral-medium-latest', inputs: 'Hi', completion_args: { max_tokens: 256 } }).maxOutputTokens).toBe(256);
    for (const request of ['GET /v1/conversations', 'GET /v1/conversations/conv_123', 'DELETE /v1/conversations/conv_123', 'GET /v1/conversations/conv_123/history', 'POST /v1/conversations/conv_123/history']) {
      const [method = '', path = ''] = request.split(' ');
      expect(adapter.describe(method, path, undefined).metered, request).toBe(false);
    }
  });

  it('marks a streamed turn failed on conversation.response.error', () => {
    const body = `event: conversation.response.error\ndata: ${JSON.stringify({ type: 'conversation.response.error', message: 'Model overloaded', code: 3000 })}\n\n`;
    const info = adapter.describe('POST', '/v1/conversations', { model: 'mistral-medium-latest', inputs: 'Hi', stream: true });
    expect(replayStream(adapter, info, { stripInjectedUsage: false }, body).observed).toEqual({ usage: null, model: null, failed: 'stream error: Model overloaded' });
  });

  // mistral-medium-latest (catalog, from 2026-06-16): $1.5 in / $7.5 out per 1M = 1,500 / 7,500 nano per token.
  //   billed:   1,200 × 1,500 + 300 × 7,500 = 1,800,000 + 2,250,000 = 4,050,000 nano ($0.00405)
  //   recorded: endpoint `other`, unmetered: no usage, $0
  it('reads the usage and the model of an appended turn: 4,050,000 nano-USD on mistral-medium-latest', () => {
    const info = adapter.describe('POST', '/v1/conversations/conv_123', { inputs: 'And then?' });
    const observed = adapter.usageFromJson(info, ANSWER);
    expect(observed).toEqual({ model: 'mistral-medium-latest', usage: usage({ inputTokens: 1200, outputTokens: 300 }) });
    const r = pricer.price(observed.usage!, { provider: 'mistral', model: observed.model!, at });
    expect(info.metered && r.priced && r.costNano).toBe(4_050_000);
  });

  // Function call and tool execution entries and events name the model too (functioncallentry.ts:35,
  // toolexecutionentry.ts:26, functioncallevent.ts:28, toolexecutionstartedevent.ts:24): a turn
  // that only calls a function is billed on that model all the same.
  it('takes the model of a turn that only calls a function, streamed or not', () => {
    const info = adapter.describe('POST', '/v1/conversations/conv_123', { inputs: 'Weather in Paris?' });
    const call = { object: 'entry', type: 'function.call', tool_call_id: 't1', name: 'weather', arguments: '{}', model: 'mistral-medium-latest' };
    expect(adapter.usageFromJson(info, { ...ANSWER, outputs: [call] }).model).toBe('mistral-medium-latest');
    const event = (data: { type: string; [field: string]: unknown }): string => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
    const body =
      event({ type: 'conversation.response.started', conversation_id: 'conv_123' }) +
      event({ type: 'function.call.delta', output_index: 0, id: 'fc_1', name: 'weather', tool_call_id: 't1', arguments: '{}', model: 'mistral-medium-latest' }) +
      event({ type: 'conversation.response.done', usage: USAGE });
    const streamed = adapter.describe('POST', '/v1/conversations/conv_123', { inputs: 'Weather in Paris?', stream: true });
    expect(replayStream(adapter, streamed, { stripInjectedUsage: false }, body).observed.model).toBe('mistral-medium-latest');
  });

  it('reads the usage of a streamed turn (conversation.response.done)', () => {
    const event = (data: { type: string; [field: string]: unknown }): string => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
    const body =
      event({ type: 'conversation.response.started', conversation_id: 'conv_123' }) +
      event({ type: 'message.output.delta', output_index: 0, id: 'msg_1', content_index: 0, model: 'mistral-medium-latest', role: 'assistant', content: 'Done.' }) +
      event({ type: 'conversation.response.done', usage: USAGE });
    const info = adapter.describe('POST', '/v1/conversations/conv_123', { inputs: 'And then?', stream: true });
    const { observed } = replayStream(adapter, info, { stripInjectedUsage: false }, body);
    expect(observed).toEqual({ model: 'mistral-medium-latest', usage: usage({ inputTokens: 1200, outputTokens: 300 }) });
  });

  // An appended or restarted turn is billed for the conversation's history again as input
  // (its prompt_tokens), which its request body does not carry: the reservation adds what the
  // proxy remembers of the conversation (RequestInfo.continues, proxy/context-memory.ts), as
  // for an OpenAI Responses `conversation`. The start names it with its answer's conversation_id.
  it('names the conversation an appended or restarted turn continues, and the one a start turn opens, streamed or not', () => {
    expect(adapter.describe('POST', '/v1/conversations/conv_123', { inputs: 'And then?' }).continues).toBe('conv:conv_123');
    expect(adapter.describe('POST', '/conversations/conv_123/restart', { inputs: 'Again', from_entry_id: 'msg_1' }).continues).toBe('conv:conv_123');
    const start = adapter.describe('POST', '/v1/conversations', { model: 'mistral-medium-latest', inputs: 'Hi' });
    expect(start.continues).toBeUndefined();
    expect(adapter.usageFromJson(start, ANSWER).responseId).toBe('conv:conv_123');
    const event = (data: { type: string; [field: string]: unknown }): string => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
    const body =
      event({ type: 'conversation.response.started', conversation_id: 'conv_456' }) +
      event({ type: 'message.output.delta', output_index: 0, id: 'msg_1', content_index: 0, model: 'mistral-medium-latest', role: 'assistant', content: 'Done.' }) +
      event({ type: 'conversation.response.done', usage: USAGE });
    const streamed = adapter.describe('POST', '/v1/conversations', { model: 'mistral-medium-latest', inputs: 'Hi', stream: true });
    expect(replayStream(adapter, streamed, { stripInjectedUsage: false }, body).observed.responseId).toBe('conv:conv_456');
  });
});
