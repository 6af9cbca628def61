import { afterEach, describe, expect, it } from 'vitest';
import { FaultUpstream } from '../support/fault-upstream.js';
import { startHarness, UPSTREAM_KEY, waitFor, type Harness } from '../support/proxy-harness.js';

/**
 * A non-streamed call still waiting for its answer when serve's shutdown grace period ends is
 * cut (recorded `client_aborted`); the provider, which has the whole request, most likely
 * generated the answer all the same: it counts at the request's output allowance. So does a
 * stream cut then (shutdown-stream-frame.test.ts: one relayed gets an error frame first).
 */
describe('a call cut at the end of the shutdown grace period (Node edge)', () => {
  let h: Harness | undefined;
  let upstream: FaultUpstream | undefined;
  afterEach(async () => {
    await h?.close();
    await upstream?.stop();
    h = undefined;
    upstream = undefined;
  });

  async function cutAtGraceEnd(body: object) {
    upstream = await new FaultUpstream(() => ({ kind: 'stall-headers' })).start();
    const yaml = [
      'providers:',
      `  openai: { base_url: "${upstream.url}", api_key: "${UPSTREAM_KEY}", header_timeout_ms: 20000, idle_timeout_ms: 20000, connect_timeout_ms: 300 }`,
      'store: { flush_interval_ms: 5 }',
    ].join('\n');
    h = await startHarness({ upstream: { reply: () => undefined }, configYaml: () => yaml });
    const pending = fetch(`${h.baseUrl()}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).catch((e: unknown) => e);
    await waitFor(() => upstream!.requests.length > 0, 3000, 'the upstream request');
    await h.proxy.stop(300);
    await pending;
    expect(h.records).toHaveLength(1);
    return h.records[0]!;
  }

  it('a non-streamed call: client_aborted, estimated, its output at max_tokens, the note saying why', async () => {
    const r = await cutAtGraceEnd({ model: 'gpt-4o-mini', max_tokens: 500, messages: [{ role: 'user', content: 'think hard' }] });
    expect(r).toMatchObject({ outcome: 'client_aborted', usageSource: 'estimated' });
    expect(r.usage?.outputTokens).toBe(500);
    expect(r.costNano).toBe(r.usage!.inputTokens * 150 + 500 * 600);
    expect(r.error).toContain("the call was cut when the shutdown's grace period ended, though the provider most likely generated its answer: output counted at the request's allowance, 500 tokens");
  });

  it('a stream: counted at its allowance too, the note saying a stream was cut', async () => {
    const r = await cutAtGraceEnd({ model: 'gpt-4o-mini', stream: true, max_tokens: 500, messages: [{ role: 'user', content: 'think hard' }] });
    expect(r).toMatchObject({ outcome: 'client_aborted', usageSource: 'estimated' });
    expect(r.usage?.outputTokens).toBe(500);
    expect(r.error).toContain("the stream was cut when the shutdown's grace period ended, before its usage came: output counted at the request's allowance, 500 tokens");
  });
});
