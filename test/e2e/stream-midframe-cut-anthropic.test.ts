import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, waitFor, type Harness } from '../support/proxy-harness.js';

/**
 * An Anthropic stream the provider cuts in the middle of a frame (the connection drops
 * after half an event). The client already has the first half of that frame (the relay
 * passes bytes as they come), so the error frame tokometer appends must not turn the
 * half-frame into a broken event: the SDK would then fail on its JSON ("SyntaxError:
 * Unterminated string") before it ever reads the error. Anthropic's SDK skips a frame named
 * `ping` whatever its data (PROVIDERS.md §3), so the half-frame can be closed as one and the
 * SDK raises the `error` event that follows as an APIError.
 */
describe('an Anthropic stream cut mid-frame', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  it('reaches the SDK as an APIError, not a JSON SyntaxError', async () => {
    const start =
      'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}}\n\n';
    const half = 'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_bl';
    h = await startHarness({
      provider: 'anthropic',
      upstream: { authHeader: 'x-api-key', reply: () => ({ headers: { 'content-type': 'text/event-stream' }, body: [start + half, 'ock":{"type":"text","text":""}}\n\n'], delayMs: 50, cutAfterChunks: 1 }) },
    });
    const client = new Anthropic({ apiKey: h.secret, baseURL: h.baseUrl('anthropic'), maxRetries: 0, logLevel: 'off' });
    const stream = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'x' }] });
    const types: string[] = [];
    const error = await (async () => {
      for await (const event of stream) types.push(event.type);
    })().catch((e: unknown) => e);
    expect(types).toEqual(['message_start']);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as Error).message).toMatch(/stream failed before it finished/);
    await waitFor(() => h!.records.length > 0, 5000, 'call record');
    expect(h.records.at(-1)).toMatchObject({ outcome: 'upstream_failed', usageSource: 'reported' });
  });
});
