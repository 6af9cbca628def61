import { describe, expect, it } from 'vitest';
import { createAnthropicAdapter } from '../../src/providers/anthropic.js';
import { createCohereAdapter } from '../../src/providers/cohere.js';
import { createGeminiAdapter } from '../../src/providers/gemini.js';
import { createMistralAdapter } from '../../src/providers/mistral.js';
import { createOpenAiAdapter } from '../../src/providers/openai.js';
import type { ProviderAdapter } from '../../src/providers/types.js';

/** The body field a busy refusal tells a request without an output limit to set, in each API's own name (budget/errors.ts estimateNote). */
const param = (adapter: ProviderAdapter, path: string, body: unknown = { model: 'm', messages: [] }) => adapter.outputLimitParam?.(adapter.describe('POST', path, body));

describe('outputLimitParam names the output limit as each API does', () => {
  it('OpenAI and compatible vendors', () => {
    expect(param(createOpenAiAdapter(), '/v1/chat/completions')).toBe('max_completion_tokens');
    expect(param(createOpenAiAdapter(), '/v1/responses')).toBe('max_output_tokens');
    expect(param(createOpenAiAdapter(), '/v1/completions')).toBe('max_tokens');
    expect(param(createOpenAiAdapter({ family: 'groq' }), '/chat/completions')).toBe('max_tokens');
    expect(param(createOpenAiAdapter({ family: 'deepseek' }), '/chat/completions')).toBe('max_tokens');
  });

  it('Gemini, Anthropic, Mistral, Cohere', () => {
    expect(param(createGeminiAdapter(), '/v1beta/models/gemini-2.5-flash:generateContent', { contents: [] })).toBe('generationConfig.maxOutputTokens');
    expect(param(createGeminiAdapter(), '/v1beta/interactions', { model: 'gemini-2.5-flash', input: 'hi' })).toBe('generation_config.max_output_tokens');
    expect(param(createAnthropicAdapter(), '/v1/messages')).toBe('max_tokens');
    expect(param(createMistralAdapter(), '/v1/chat/completions')).toBe('max_tokens');
    expect(param(createMistralAdapter(), '/v1/conversations', { model: 'mistral-medium-latest', inputs: 'hi' })).toBe('completion_args.max_tokens');
    expect(param(createCohereAdapter(), '/v2/chat')).toBe('max_tokens');
  });

  it('none for a request whose API reads no output limit: the refusal then names none', () => {
    expect(param(createOpenAiAdapter(), '/v1/embeddings', { model: 'text-embedding-3-small', input: 'hi' })).toBeUndefined();
    expect(param(createOpenAiAdapter(), '/v1/audio/speech', { model: 'tts-1', input: 'hi', voice: 'alloy' })).toBeUndefined();
    expect(param(createGeminiAdapter(), '/v1beta/models/gemini-embedding-001:embedContent', { content: {} })).toBeUndefined();
    expect(param(createCohereAdapter(), '/v2/embed', { model: 'embed-v4.0', texts: ['hi'] })).toBeUndefined();
    expect(param(createMistralAdapter(), '/v1/embeddings', { model: 'mistral-embed', input: 'hi' })).toBeUndefined();
  });
});
