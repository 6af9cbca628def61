import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, waitFor, type Harness } from '../support/proxy-harness.js';
import { errorOfStream } from './sdk-harness.js';

/**
 * A provider quiet mid-stream for longer than idle_timeout_ms is a timeout: tokometer's
 * error is `upstream_timeout` (504 in the stream's error frame, "did not answer in time"),
 * as for a provider that sends no headers in time. On the Node edges the relay cancels the
 * upstream read when it gives up, and the read then fails with undici's abort, which was
 * taken for the failure itself: `upstream_unreachable` (502) "(UND_ERR_ABORTED)", and the
 * record says "Request aborted" instead of the idle timeout.
 */
describe('a provider idle mid-stream past idle_timeout_ms (Node edges)', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  it('reaches the openai SDK as a timeout error, and is recorded as one', async () => {
    const chunk = 'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":"Paris"},"logprobs":null,"finish_reason":null}]}\n\n';
    h = await startHarness({
      configYaml: (url) => `providers:\n  openai: { base_url: "${url}", api_key: "sk-test-upstream-0123456789abcdef", idle_timeout_ms: 300 }\nstore: { flush_interval_ms: 5 }\n`,
      upstream: { reply: () => ({ headers: { 'content-type': 'text/event-stream' }, body: [chunk, 'data: [DONE]\n\n'], hold: new Promise<never>(() => {}) }) },
    });
    const client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl(), maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'x' }] });
    const error = await errorOfStream(stream);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('timeout');
    expect((error as Error).message).not.toMatch(/UND_ERR_ABORTED/);
    await waitFor(() => h!.records.length > 0, 5000, 'call record');
    expect(h.records.at(-1)).toMatchObject({ outcome: 'upstream_failed' });
    expect(h.records.at(-1)?.error).toMatch(/idle timeout/);
  });
});
