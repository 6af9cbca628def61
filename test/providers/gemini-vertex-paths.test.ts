import { describe, expect, it } from 'vitest';
import { createGeminiAdapter } from '../../src/providers/gemini.js';

const adapter = createGeminiAdapter();
const BODY = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig: { maxOutputTokens: 100 } };

/**
 * The Vertex AI shapes @google/genai 2.x builds with `vertexai: true` (tModel: a bare model id
 * becomes `publishers/google/models/ID`; shouldPrependVertexProjectPath adds
 * `projects/P/locations/L/` when the client has both), in v1beta1 (the SDK's default) or v1.
 */
describe('Vertex AI model paths', () => {
  it.each([
    ['/v1beta1/publishers/google/models/gemini-2.5-pro:generateContent', 'generateContent', 'chat', false],
    ['/v1/publishers/google/models/gemini-2.5-pro:generateContent', 'generateContent', 'chat', false],
    ['/v1beta1/projects/p1/locations/us-central1/publishers/google/models/gemini-2.5-pro:generateContent', 'generateContent', 'chat', false],
    ['/v1/projects/p1/locations/global/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse', 'generateContent', 'chat', true],
    ['/v1beta1/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse', 'generateContent', 'chat', true],
  ])('meters %s as the Gemini API call, the model id without its publisher prefix', (path, endpoint, kind, streaming) => {
    expect(adapter.describe('POST', path, BODY)).toMatchObject({ endpoint, kind, metered: true, model: 'gemini-2.5-pro', streaming, maxOutputTokens: 100 });
  });

  it('meters a Vertex embedContent (gemini embedding models) as embeddings, estimated from its text', () => {
    const info = adapter.describe('POST', '/v1beta1/projects/p1/locations/us-central1/publishers/google/models/gemini-embedding-2:embedContent', { content: { parts: [{ text: 'What is your name?' }] } });
    // 'What is your name?' is 18 characters → 5 tokens (4 a token, rounded up).
    expect(info).toMatchObject({ endpoint: 'embedContent', kind: 'embeddings', metered: true, model: 'gemini-embedding-2', estimatedInputTokens: 5 });
    expect(info.refused).toBeUndefined();
  });

  it('meters :predict of a Vertex embedding model as embeddings, estimated from its instances', () => {
    const body = { instances: [{ content: 'What is your name?' }, { content: 'What is your favorite color?', title: 'Colors' }], parameters: { outputDimensionality: 64 } };
    // 18 characters → 5 tokens, 28 → 7, the title 'Colors' 6 → 2 (4 a token, rounded up per text): 14.
    for (const model of ['gemini-embedding-001', 'text-embedding-005', 'text-multilingual-embedding-002']) {
      const info = adapter.describe('POST', `/v1/projects/p1/locations/us-central1/publishers/google/models/${model}:predict`, body);
      expect(info).toMatchObject({ endpoint: 'predict', kind: 'embeddings', metered: true, model, estimatedInputTokens: 14 });
      expect(info.refused).toBeUndefined();
    }
  });

  it('reads the tokens of a :predict embeddings answer from predictions[].embeddings.statistics.token_count', () => {
    const info = adapter.describe('POST', '/v1beta1/publishers/google/models/gemini-embedding-001:predict', { instances: [{ content: 'hi' }, { content: 'there' }] });
    const answer = { predictions: [{ embeddings: { values: [0.1], statistics: { token_count: 3, truncated: false } } }, { embeddings: { values: [0.2], statistics: { token_count: 4, truncated: false } } }] };
    expect(adapter.usageFromJson(info, answer)).toMatchObject({ usage: { inputTokens: 7, outputTokens: 0 } });
    expect(adapter.usageFromJson(info, answer).estimated).toBeUndefined();
  });

  it('forwards countTokens and computeTokens (not billed) unmetered, not refused', () => {
    for (const action of ['countTokens', 'computeTokens']) {
      const info = adapter.describe('POST', `/v1beta1/projects/p1/locations/us-central1/publishers/google/models/gemini-2.5-pro:${action}`, BODY);
      expect(info).toMatchObject({ metered: false, model: 'gemini-2.5-pro' });
      expect(info.refused).toBeUndefined();
    }
  });

  it('leaves reads (GET) of Vertex models alone', () => {
    const info = adapter.describe('GET', '/v1beta1/publishers/google/models/gemini-2.5-pro', undefined);
    expect(info).toMatchObject({ endpoint: 'other', metered: false });
    expect(info.refused).toBeUndefined();
  });

  it('keeps the Gemini API shapes as they were', () => {
    expect(adapter.describe('POST', '/v1beta/models/gemini-2.5-flash:generateContent', BODY)).toMatchObject({ endpoint: 'generateContent', model: 'gemini-2.5-flash', metered: true });
    expect(adapter.describe('POST', '/v1beta/tunedModels/my-tune:generateContent', BODY)).toMatchObject({ endpoint: 'generateContent', model: 'tunedModels/my-tune', metered: true });
  });
});
