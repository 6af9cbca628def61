import { describe, expect, it } from 'vitest';
import { afterImmediates, bodyText, chatCall, exhausted, fixture, jsonAnswer } from './fakes.js';

const COHERE_ONLY = 'providers:\n  cohere: { base_url: "http://upstream.invalid", api_key: "co-upstream" }\n';
const ASK = { model: 'command-a-03-2025', messages: [{ role: 'user', content: 'Capital of France?' }] };

/** A client's chat call to Cohere's /v2/chat through the proxy. */
function cohereChat() {
  return { ...chatCall(ASK), url: '/proxy/cohere/v2/chat' };
}

describe('a refusal whose status the provider adapter changes', () => {
  it('records the 402 the Cohere client got for a spent budget, not the gate 429 (README: status is the HTTP status the client got)', async () => {
    const f = fixture(() => jsonAnswer('{}'), {}, undefined, COHERE_ONLY);
    f.gate.next = exhausted;
    const res = await f.handle(cohereChat());
    expect(res.status).toBe(402);
    expect(JSON.parse(await bodyText(res))).toMatchObject({ reset_at: '2026-12-01T00:00:00Z' });
    await afterImmediates();
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({ outcome: 'refused', status: 402, costNano: 0 });
    expect(f.upstream.requests).toEqual([]);
  });
});
