import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { sseFrames } from '../support/fake-upstream.js';
import { startHarness, type Harness } from '../support/proxy-harness.js';

const OPENAI = sseFrames(readFileSync(new URL('../fixtures/openai/chat-stream-usage.sse', import.meta.url), 'utf8'));
const ANTHROPIC = sseFrames(readFileSync(new URL('../fixtures/anthropic/messages-stream-uncached.sse', import.meta.url), 'utf8'));

/** The message of the error frame a stream still running at the end of the shutdown grace period ends with. */
const SHUTTING_DOWN = 'tokometer is shutting down: this stream was ended before the provider finished it. Send the request again (to another tokometer, or once this one is back).';

/**
 * A stream still relayed when serve's shutdown grace period ends used to be cut bare: the
 * client's SDK raised a vague network error, and the row said the client had left. The relay
 * now ends it the way the provider ends a failed stream, with the provider's own error frame
 * saying the proxy is shutting down, before the server cuts the connections; the row is
 * recorded as the shutdown's cut (the note says so) with its output at the request's
 * allowance, as a non-streamed call cut then is (shutdown-cut-allowance.test.ts).
 */
describe('a stream relayed when the shutdown grace period ends (Node edge)', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  /** Starts a stream of `frames` after `head` (100 ms apart: far longer than the grace), stops the proxy with a 300 ms grace, and reads the client's whole body. */
  async function cutAtGraceEnd(provider: string, path: string, head: string[], frame: string, body: object, auth: (secret: string) => Record<string, string>) {
    h = await startHarness({ provider, upstream: { authHeader: provider === 'anthropic' ? 'x-api-key' : 'authorization', reply: () => ({ headers: { 'content-type': 'text/event-stream' }, body: [...head, ...Array.from({ length: 200 }, () => frame)], delayMs: 100 }) } });
    const res = await fetch(`${h.baseUrl()}${path}`, { method: 'POST', headers: { ...auth(h.secret), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const chunks: Uint8Array[] = [];
    const first = await reader.read();
    if (!first.done) chunks.push(first.value);
    const stopped = h.proxy.stop(300);
    let ending = 'ended';
    try {
      for (;;) {
        const next = await reader.read();
        if (next.done) break;
        chunks.push(next.value);
      }
    } catch {
      ending = 'cut';
    }
    await stopped;
    expect(h.records).toHaveLength(1);
    return { text: Buffer.concat(chunks).toString('utf8'), ending, record: h.records[0]! };
  }

  it('OpenAI chat: the stream ends with an OpenAI error frame; recorded as cut by the shutdown, output at max_tokens', async () => {
    const { text, ending, record } = await cutAtGraceEnd('openai', '/chat/completions', OPENAI.slice(0, 1), OPENAI[1]!, { model: 'gpt-4o-mini', stream: true, max_tokens: 500, messages: [{ role: 'user', content: 'think hard' }] }, (secret) => ({ authorization: `Bearer ${secret}` }));
    expect(ending).toBe('ended');
    expect(text.endsWith(`\n\ndata: ${JSON.stringify({ error: { message: SHUTTING_DOWN, type: 'server_error', param: null, code: 'service_unavailable' } })}\n\n`)).toBe(true);
    expect(record).toMatchObject({ outcome: 'client_aborted', status: 200, streamed: true, usageSource: 'estimated' });
    expect(record.usage?.outputTokens).toBe(500);
    expect(record.costNano).toBe(record.usage!.inputTokens * 150 + 500 * 600);
    expect(record.error).toContain('tokometer shut down: the stream was ended with an error frame when the shutdown grace period ended');
    expect(record.error).toContain("the stream was cut when the shutdown's grace period ended, before its usage came: output counted at the request's allowance, 500 tokens");
  });

  it('Anthropic messages: the stream ends with an Anthropic `event: error` frame', async () => {
    const { text, ending, record } = await cutAtGraceEnd('anthropic', '/v1/messages', ANTHROPIC.slice(0, 2), ANTHROPIC[3]!, { model: 'claude-sonnet-4-5', stream: true, max_tokens: 700, messages: [{ role: 'user', content: 'think hard' }] }, (secret) => ({ 'x-api-key': secret }));
    expect(ending).toBe('ended');
    expect(text.endsWith(`\n\nevent: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: SHUTTING_DOWN } })}\n\n`)).toBe(true);
    expect(record).toMatchObject({ outcome: 'client_aborted', status: 200, streamed: true, usageSource: 'estimated' });
    // The input its message_start reported; the output at the request's allowance, not the 1 token message_start counted.
    expect(record.usage).toMatchObject({ inputTokens: 25, outputTokens: 700 });
    expect(record.error).toContain('tokometer shut down: the stream was ended with an error frame when the shutdown grace period ended');
  });
});
