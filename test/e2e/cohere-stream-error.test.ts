import { CohereClientV2 } from 'cohere-ai';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, waitFor, type Harness } from '../support/proxy-harness.js';
import { sseReply } from './sdk-harness.js';

/**
 * Cohere v2 ends a chat stream whose generation failed with a `message-end` event whose
 * `delta.finish_reason` is `ERROR` and whose `delta.error` says why (cohere-ai types
 * ChatMessageEndEventDelta: "An error message if an error occurred during the generation";
 * ChatFinishReason ERROR: "The generation failed due to an internal error"). As for the other
 * providers' in-stream errors, the call is the provider's failure (`upstream_failed`, with the
 * reason), billed with the usage it carries — not an `ok` call.
 */
describe('a Cohere chat stream that ends with finish_reason ERROR', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  it('is recorded upstream_failed with its usage', async () => {
    const frames = [
      'event: message-start\ndata: {"id":"c1","type":"message-start","delta":{"message":{"role":"assistant","content":[]}}}\n\n',
      'event: content-start\ndata: {"type":"content-start","index":0,"delta":{"message":{"content":{"type":"text","text":""}}}}\n\n',
      'event: content-delta\ndata: {"type":"content-delta","index":0,"delta":{"message":{"content":{"text":"Par"}}}}\n\n',
      'event: message-end\ndata: {"type":"message-end","delta":{"finish_reason":"ERROR","error":"internal server error, this has been reported to our developers","usage":{"billed_units":{"input_tokens":12,"output_tokens":1},"tokens":{"input_tokens":78,"output_tokens":1}}}}\n\n',
    ];
    h = await startHarness({ provider: 'cohere', upstream: { reply: () => sseReply(frames) } });
    const client = new CohereClientV2({ token: h.secret, environment: h.baseUrl('cohere'), maxRetries: 0 });
    const events: Array<{ type?: string; delta?: unknown }> = [];
    for await (const event of await client.chatStream({ model: 'command-a-03-2025', messages: [{ role: 'user', content: 'x' }] })) events.push(event);
    expect(events.at(-1)).toMatchObject({ type: 'message-end', delta: { finishReason: 'ERROR' } });
    await waitFor(() => h!.records.length > 0, 5000, 'call record');
    expect(h.records.at(-1)).toMatchObject({ status: 200, streamed: true, outcome: 'upstream_failed', usageSource: 'reported', usage: { inputTokens: 12, outputTokens: 1 } });
    expect(h.records.at(-1)?.error).toMatch(/internal server error/);
  });
});
