import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { createCohereAdapter } from '../../src/providers/cohere.js';
import { CallRecorder } from '../../src/proxy/call-recorder.js';
import { FinishedCalls } from '../../src/proxy/finished-calls.js';
import { silentLogger } from '../../src/proxy/log.js';
import { newObservation } from '../../src/proxy/observation.js';
import type { CallRecord } from '../../src/store/types.js';
import { FakeGate } from '../proxy/fakes.js';

/**
 * PROVIDERS.md §6 (Cohere v2, POST /v2/embed): usage for embed is in `meta.billed_units`,
 * which holds `input_tokens | images | image_tokens` ("image_tokens for images").
 * An image embedding is billed on `image_tokens`; tokometer once read only `input_tokens`,
 * so the provider-reported usage was dropped and the call priced from an estimate of
 * the request body, i.e. of the base64 image text.
 */
describe('Cohere /v2/embed with an image (meta.billed_units.image_tokens)', () => {
  const adapter = createCohereAdapter();
  // One image as a data URI: 400,000 base64 characters (~300 KB PNG).
  const body = { model: 'embed-v4.0', input_type: 'image', embedding_types: ['float'], images: [`data:image/png;base64,${'A'.repeat(400_000)}`] };
  const bodyBytes = new TextEncoder().encode(JSON.stringify(body));
  const answer = {
    id: 'b7f0c1d2-0000-4000-8000-000000000001',
    embeddings: { float: [[0.01, -0.02, 0.03]] },
    images: [{ width: 400, height: 400, format: 'png', bit_depth: 24 }],
    meta: { api_version: { version: '2' }, billed_units: { image_tokens: 1000 } },
    response_type: 'embeddings_by_type',
  };

  it('reads the billed image tokens as the call\'s (input) usage, all of it image', () => {
    const info = adapter.describe('POST', '/v2/embed', body);
    const observed = adapter.usageFromJson(info, answer);
    expect(observed.usage?.inputTokens).toBe(1000);
    expect(observed.usage?.inputImageTokens).toBe(1000);
  });

  it('records the call with the reported usage, not an estimate of the base64 body (embed-v4.0 image tokens, $0.47 / 1M: 1,000 tokens = 470,000 nano-USD)', () => {
    const info = adapter.describe('POST', '/v2/embed', body);
    const finished = new FinishedCalls((error) => {
      throw error;
    });
    const records: CallRecord[] = [];
    finished.subscribe((r) => records.push(r));
    const rec = new CallRecorder({ pricer: createPricer(), budgets: new FakeGate(), finished, log: silentLogger }, 'cohere', Date.parse('2026-11-20T12:00:00Z'), 0, {});
    rec.identify('app', {});
    rec.describe(info, bodyBytes);
    rec.hold('held');
    const seen = { ...newObservation(), firstByteAt: 1 };
    seen.observed = adapter.usageFromJson(info, answer);
    rec.complete(200, seen, 2);
    const r = records[0] as CallRecord;
    // Before: usageSource 'estimated', inputTokens 100,027 (body chars / 4), cost 12,003,240 nano ($0.0120): 100x the billed tokens.
    expect(r.usageSource).toBe('reported');
    expect(r.usage?.inputTokens).toBe(1000);
    expect(r.costNano).toBe(470_000);
  });
});
