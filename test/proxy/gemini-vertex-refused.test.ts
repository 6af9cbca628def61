import { describe, expect, it } from 'vitest';
import { bodyText, chatCall, fixture, jsonAnswer } from './fakes.js';

/**
 * Vertex AI paths the gemini adapter cannot meter (with base_url on aiplatform.googleapis.com):
 * a tuned model or deployed model behind `endpoints/ID` (no model name to price), a partner
 * model (`publishers/anthropic/...:rawPredict`, its own wire format), `:predict` of a model
 * other than a text embedding one (Imagen images, multimodal embeddings: no token usage), and the
 * OpenAI-compatible layer (`endpoints/openapi/chat/completions`). Forwarded as `other` they
 * were recorded at $0 with no budget checked; they are refused like the Gemini API's
 * OpenAI-compatible layer, with a 400 naming what is metered, never forwarded.
 */

const PROVIDERS = 'providers:\n  gemini: { base_url: "http://upstream.invalid", api_key: "g-key" }\n';
const LOC = '/proxy/gemini/v1/projects/p1/locations/us-central1';

function post(url: string, body: object) {
  const call = { ...chatCall(body), url };
  call.headers = { ...call.headers, 'x-goog-api-key': call.headers.authorization!.slice('Bearer '.length) };
  return call;
}

const CONTENTS = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };

describe('a Vertex AI path the gemini provider cannot meter', () => {
  it.each([
    [`${LOC}/endpoints/1234567890:generateContent`, CONTENTS],
    [`${LOC}/endpoints/1234567890:streamGenerateContent?alt=sse`, CONTENTS],
    [`${LOC}/publishers/anthropic/models/claude-sonnet-4-5:rawPredict`, { anthropic_version: 'vertex-2023-10-16', max_tokens: 64, messages: [] }],
    [`${LOC}/publishers/anthropic/models/claude-sonnet-4-5:streamRawPredict`, { anthropic_version: 'vertex-2023-10-16', max_tokens: 64, messages: [] }],
    [`${LOC}/publishers/google/models/multimodalembedding@001:predict`, { instances: [{ image: { bytesBase64Encoded: 'iVBORw0KGgo=' } }] }],
    ['/proxy/gemini/v1beta1/publishers/google/models/imagen-4.0-generate-001:predict', { instances: [{ prompt: 'a cat' }] }],
    [`${LOC}/endpoints/openapi/chat/completions`, { model: 'google/gemini-2.5-pro', messages: [] }],
  ])('is refused with 400 saying what is metered, never forwarded: %s', async (url, body) => {
    const f = fixture(() => jsonAnswer('{}'), {}, undefined, PROVIDERS);
    const res = await f.handle(post(url, body));
    expect(res.status).toBe(400);
    expect(await bodyText(res)).toMatch(/not metered by the gemini provider/);
    expect(f.upstream.requests).toEqual([]);
  });

  it('forwards a Vertex token count (not billed) as an unmetered call', async () => {
    const f = fixture(() => jsonAnswer('{"totalTokens":3}'), {}, undefined, PROVIDERS);
    const res = await f.handle(post(`${LOC}/publishers/google/models/gemini-2.5-pro:countTokens`, CONTENTS));
    expect(res.status).toBe(200);
    expect(f.upstream.requests).toHaveLength(1);
  });
});
