import { describe, expect, it } from 'vitest';
import { afterImmediates, bodyText, chatCall, fixture, jsonAnswer, SECRET, sseAnswer } from './fakes.js';

/**
 * Gemini Interactions calls (`POST /v1beta/interactions`) through the handler: recorded with
 * their usage and cost, reserved for with their output bound, checked against a key's model
 * allow-list as a generateContent call is.
 */

const GEMINI = 'providers:\n  gemini: { base_url: "http://upstream.invalid", api_key: "g-key" }\n';
const ANSWER = JSON.stringify({ id: 'int_1', object: 'interaction', model: 'gemini-2.5-flash', status: 'completed', usage: { total_input_tokens: 1000, total_output_tokens: 200, total_tokens: 1200 } });

function interactionCall(body: object) {
  return { ...chatCall(body, { 'x-goog-api-key': SECRET }), url: '/proxy/gemini/v1beta/interactions' };
}

describe('Gemini Interactions through the handler', () => {
  // FAKE_PRICER: 10 nano per input token, 20 per output: 1,000 × 10 + 200 × 20 = 14,000.
  it('records the interaction with its usage and cost (was endpoint other, $0), its output bound reserved', async () => {
    const f = fixture(() => jsonAnswer(ANSWER), {}, undefined, GEMINI);
    const res = await f.handle(interactionCall({ model: 'gemini-2.5-flash', input: 'hi', generation_config: { max_output_tokens: 512 } }));
    expect(res.status).toBe(200);
    await bodyText(res);
    await afterImmediates();
    expect(f.gate.requests[0]).toMatchObject({ model: 'gemini-2.5-flash', metered: true, maxOutputTokens: 512 });
    expect(f.records[0]).toMatchObject({ endpoint: 'interactions', model: 'gemini-2.5-flash', usageSource: 'reported', costNano: 14_000 });
    expect(f.records[0]!.usage).toMatchObject({ inputTokens: 1000, outputTokens: 200 });
  });

  it('refuses a model the key may not use before forwarding', async () => {
    const f = fixture(() => jsonAnswer(ANSWER), { models: ['gemini-2.5-flash-lite'] }, undefined, GEMINI);
    const res = await f.handle(interactionCall({ model: 'gemini-2.5-flash', input: 'hi' }));
    expect(res.status).toBe(403);
    await bodyText(res);
    expect(f.upstream.requests).toEqual([]);
  });

  const AGENT = { agent: 'deep-research-pro-preview-12-2025', input: 'Research the history of Google TPUs.' };
  const AGENT_ANSWER = JSON.stringify({ id: 'int_9', agent: AGENT.agent, model: 'gemini-3-pro-preview', status: 'completed', usage: { total_input_tokens: 250_000, total_output_tokens: 12_000 } });

  it('records an agent interaction with its usage, unpriced (cost null, not $0), under endpoint interactions.agent', async () => {
    const f = fixture(() => jsonAnswer(AGENT_ANSWER), {}, undefined, GEMINI);
    const res = await f.handle(interactionCall(AGENT));
    expect(res.status).toBe(200);
    await bodyText(res);
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ endpoint: 'interactions.agent', model: null, usageSource: 'reported', costNano: null });
    expect(f.records[0]!.usage).toMatchObject({ inputTokens: 250_000, outputTokens: 12_000 });
  });

  it('refuses an agent interaction for a key limited to some models: the agent picks models the list cannot check', async () => {
    const f = fixture(() => jsonAnswer(AGENT_ANSWER), { models: ['gemini-2.5-flash'] }, undefined, GEMINI);
    const res = await f.handle(interactionCall(AGENT));
    expect(res.status).toBe(403);
    expect(JSON.parse(await bodyText(res)).error.message).toMatch(/names no model/);
    expect(f.upstream.requests).toEqual([]);
  });

  // An interactions stream is a sequence of InteractionSSEEvents (js-genai dist/genai.d.ts:9959),
  // which the SDK yields to the app as parsed (dist/index.cjs:11413, flattened): a failure is an
  // `error` event (ErrorEvent_2, :4943, `{event_type: 'error', error: {code, message}}`). The
  // generateContent-shaped frame (`{"error": {"code": 503, …}}`) has no event_type: an app
  // switching on event_type never sees the stream fail.
  it('ends a stream that breaks mid-way with an Interactions error event', async () => {
    const frames = [
      `event: interaction.created\ndata: ${JSON.stringify({ event_type: 'interaction.created', interaction: { id: 'int_1', model: 'gemini-2.5-flash', status: 'in_progress' } })}\n\n`,
      `event: step.delta\ndata: ${JSON.stringify({ event_type: 'step.delta', index: 0, delta: { type: 'text', text: 'The' } })}\n\n`,
    ];
    const f = fixture((req) => sseAnswer(req, frames, { failAfter: 1 }), {}, undefined, GEMINI);
    const text = await bodyText(await f.handle(interactionCall({ model: 'gemini-2.5-flash', input: 'hi', stream: true })));
    const last = text.trim().split(/\r?\n\r?\n/).pop() ?? '';
    const data = last.split(/\r?\n/).find((line) => line.startsWith('data: '))?.slice(6) ?? '';
    expect(JSON.parse(data)).toMatchObject({ event_type: 'error', error: { code: 'UNAVAILABLE' } });
  });
});
