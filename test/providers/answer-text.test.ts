import { describe, expect, it } from 'vitest';
import { createAnthropicAdapter } from '../../src/providers/anthropic.js';
import { createCohereAdapter } from '../../src/providers/cohere.js';
import { createGeminiAdapter } from '../../src/providers/gemini.js';
import { createMistralAdapter } from '../../src/providers/mistral.js';
import { createOpenAiAdapter } from '../../src/providers/openai.js';
import type { ProviderAdapter } from '../../src/providers/types.js';

/**
 * ProviderAdapter.answerTextLength: how many characters a non-streamed answer without usage
 * generated, which its estimated output tokens are counted from (proxy/recorded-usage.ts);
 * undefined when the adapter cannot say (the estimate then takes the request's allowance).
 * Each count below is summed by hand from the strings' lengths; a tool call's structured
 * input counts as its JSON text.
 */

function length(adapter: ProviderAdapter, path: string, request: object, answer: unknown): number | undefined {
  const info = adapter.describe('POST', path, request);
  expect(info.metered).toBe(true);
  return adapter.answerTextLength?.(info, answer);
}

describe('OpenAI answers', () => {
  const openai = createOpenAiAdapter();
  const chat = (answer: unknown) => length(openai, '/v1/chat/completions', { model: 'gpt-4o-mini' }, answer);

  // 'Hello there.' 12 + name 'get_weather' 11 + arguments '{"city":"Paris"}' 16 = 39; a second choice 'Hi.' 3 and refusal 'No.' 3: 45.
  it('chat: the choices’ content, refusal and tool calls', () => {
    const call = { id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } };
    const answer = {
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Hello there.', tool_calls: [call] } },
        { index: 1, message: { role: 'assistant', content: 'Hi.', refusal: 'No.' } },
      ],
    };
    expect(chat(answer)).toBe(45);
  });

  // DeepSeek's reasoning_content 'Think.' 6 + content 'Yes.' 4 = 10.
  it('chat: a compatible vendor’s reasoning text counts', () => {
    expect(chat({ choices: [{ message: { content: 'Yes.', reasoning_content: 'Think.' } }] })).toBe(10);
  });

  it('chat: cannot say for an audio answer or one without choices', () => {
    expect(chat({ choices: [{ message: { content: null, audio: { data: 'UklGR', transcript: 'Hello.' } } }] })).toBeUndefined();
    expect(chat({ object: 'chat.completion' })).toBeUndefined();
  });

  // 'abc' 3 + 'defg' 4 = 7.
  it('completions: the choices’ text', () => {
    expect(length(openai, '/v1/completions', { model: 'gpt-3.5-turbo-instruct' }, { choices: [{ text: 'abc' }, { text: 'defg' }] })).toBe(7);
  });

  // Summary 'Thinking.' 9 + 'Paris.' 6 + name 'save' 4 + arguments '{"a":1}' 7 = 26.
  it('Responses: the output items’ text, summaries and call arguments', () => {
    const output = [
      { type: 'reasoning', summary: [{ type: 'summary_text', text: 'Thinking.' }] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Paris.', annotations: [] }] },
      { type: 'function_call', call_id: 'c1', name: 'save', arguments: '{"a":1}' },
    ];
    expect(length(openai, '/v1/responses', { model: 'gpt-4.1' }, { object: 'response', status: 'completed', output })).toBe(26);
  });

  it('embeddings generate nothing', () => {
    expect(length(openai, '/v1/embeddings', { model: 'text-embedding-3-small' }, { data: [{ embedding: [0.1] }] })).toBe(0);
  });
});

describe('Anthropic answers', () => {
  const anthropic = createAnthropicAdapter();
  const messages = (answer: unknown) => length(anthropic, '/v1/messages', { model: 'claude-haiku-4-5', max_tokens: 100 }, answer);

  // Thinking 'Hmm.' 4 + 'Hello.' 6 + name 'save' 4 + input {"path":"a.txt"} 16 = 30.
  it('the content blocks’ text, thinking and tool input', () => {
    const content = [
      { type: 'thinking', thinking: 'Hmm.', signature: 'sig' },
      { type: 'text', text: 'Hello.' },
      { type: 'tool_use', id: 't1', name: 'save', input: { path: 'a.txt' } },
    ];
    expect(messages({ type: 'message', content })).toBe(30);
  });

  it('cannot say for an answer without content', () => {
    expect(messages({ type: 'message' })).toBeUndefined();
  });
});

describe('Gemini answers', () => {
  const gemini = createGeminiAdapter();
  const generate = (answer: unknown) => length(gemini, '/v1beta/models/gemini-2.5-flash:generateContent', {}, answer);

  // Thought 'Hi.' 3 + 'Hello.' 6 + name 'save' 4 + args {"path":"a.txt"} 16 = 29; a second candidate 'Yo.' 3: 32.
  it('the candidates’ parts: text, thoughts and function calls', () => {
    const parts = [{ text: 'Hi.', thought: true }, { text: 'Hello.' }, { functionCall: { name: 'save', args: { path: 'a.txt' } } }];
    expect(generate({ candidates: [{ content: { parts, role: 'model' } }, { content: { parts: [{ text: 'Yo.' }] } }] })).toBe(32);
  });

  // A stream read as one JSON array (no alt=sse): 'Paris is' 8 + ' the capital.' 13 = 21.
  it('a stream answered as one JSON array: every chunk’s parts', () => {
    const chunks = [{ candidates: [{ content: { parts: [{ text: 'Paris is' }] } }] }, { candidates: [{ content: { parts: [{ text: ' the capital.' }] } }] }];
    expect(length(gemini, '/v1beta/models/gemini-2.5-flash:streamGenerateContent', {}, chunks)).toBe(21);
  });

  it('cannot say for generated media or an answer without candidates', () => {
    expect(generate({ candidates: [{ content: { parts: [{ inlineData: { mimeType: 'image/png', data: 'iVBOR' } }] } }] })).toBeUndefined();
    expect(generate({ modelVersion: 'gemini-2.5-flash' })).toBeUndefined();
  });
});

describe('Mistral and Cohere answers', () => {
  // Thinking 'Hmm.' 4 + 'Hello.' 6 = 10.
  it('Mistral chat: content chunks, thinking included', () => {
    const content = [{ type: 'thinking', thinking: [{ type: 'text', text: 'Hmm.' }] }, { type: 'text', text: 'Hello.' }];
    expect(length(createMistralAdapter(), '/v1/chat/completions', { model: 'mistral-small-latest' }, { choices: [{ message: { content } }] })).toBe(10);
  });

  // 'Hello.' 6 + name 'save' 4 + arguments '{"a":1}' 7 = 17.
  it('Mistral conversations: the output entries', () => {
    const outputs = [
      { type: 'message.output', content: 'Hello.', model: 'mistral-medium-latest' },
      { type: 'function.call', name: 'save', arguments: '{"a":1}' },
    ];
    expect(length(createMistralAdapter(), '/v1/conversations', { model: 'mistral-medium-latest', inputs: 'hi' }, { object: 'conversation.response', outputs })).toBe(17);
  });

  // v2: 'Hello.' 6 + tool_plan 'Plan.' 5 + name 'save' 4 + arguments '{"a":1}' 7 = 22.
  it('Cohere v2 chat: the message’s text, plan and tool calls', () => {
    const message = { role: 'assistant', content: [{ type: 'text', text: 'Hello.' }], tool_plan: 'Plan.', tool_calls: [{ id: 't', type: 'function', function: { name: 'save', arguments: '{"a":1}' } }] };
    expect(length(createCohereAdapter(), '/v2/chat', { model: 'command-a-03-2025' }, { id: 'x', message, finish_reason: 'COMPLETE' })).toBe(22);
  });

  // v1: 'Hello.' 6 + name 'save' 4 + parameters {"a":1} 7 = 17.
  it('Cohere v1 chat: the text and tool calls', () => {
    expect(length(createCohereAdapter(), '/v1/chat', { message: 'hi' }, { text: 'Hello.', tool_calls: [{ name: 'save', parameters: { a: 1 } }] })).toBe(17);
  });
});
