import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { tagCall, type TaggedCall } from '../support/call-tag.js';
import { FaultUpstream, type Fault } from '../support/fault-upstream.js';
import { startHarness, UPSTREAM_KEY, waitFor, type Harness } from '../support/proxy-harness.js';

/**
 * Shutdown (RunningProxy.stop) while a non-streamed call whose client left is still reading its
 * answer (the provider bills it): the call counts as in flight until its answer is read, and
 * the grace period's end stops it, recorded, so the stop always ends and loses no record.
 */

const THOUGHT = JSON.stringify({
  id: 'chatcmpl-thought',
  object: 'chat.completion',
  model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, message: { role: 'assistant', content: 'a long answer' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 100, completion_tokens: 500, total_tokens: 600 },
});

const config = (url: string) =>
  [
    'providers:',
    `  openai: { base_url: "${url}", api_key: "${UPSTREAM_KEY}", header_timeout_ms: 5000, idle_timeout_ms: 5000, connect_timeout_ms: 300 }`,
    'store: { flush_interval_ms: 5 }',
  ].join('\n');

describe('shutdown with a departed client still reading its answer (Node edge)', () => {
  let fault: Fault = { kind: 'stall-headers' };
  let upstream: FaultUpstream;
  let h: Harness;

  beforeEach(async () => {
    upstream = await new FaultUpstream(() => fault).start();
    h = await startHarness({ upstream: { reply: () => undefined }, configYaml: () => config(upstream.url) });
  });
  afterEach(async () => {
    await h.close();
    await upstream.stop();
  });

  /** Sends a non-streamed chat call and leaves it once the provider has it. */
  const leaveOnceSent = async (call: TaggedCall) => {
    const controller = new AbortController();
    const pending = fetch(`${h.baseUrl()}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.secret}`, ...call.headers },
      body: '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"think hard"}]}',
      signal: controller.signal,
    }).catch((e: unknown) => e);
    await waitFor(() => upstream.requests.length > 0, 3000, 'the upstream request');
    // Past the departure watch's delay (departure.ts), so the proxy hears the client leave.
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await pending;
  };

  /** The stored rows of `call`, read from the database file after the stop closed it. */
  const storedRows = (call: TaggedCall) => {
    const driver = openDriver(h.dbPath, { readonly: true });
    try {
      return driver
        .prepare('SELECT outcome, status, input_tokens, output_tokens, cost_nano, tags FROM calls')
        .all<{ outcome: string; status: number; input_tokens: number; output_tokens: number; cost_nano: number; tags: string }>()
        .filter((r) => (JSON.parse(r.tags) as Record<string, string>).call === call.id);
    } finally {
      driver.close();
    }
  };

  it('waits for the answer within the grace period, and writes the call with its whole usage', async () => {
    fault = { kind: 'status', status: 200, body: THOUGHT, delayMs: 600 };
    const call = tagCall();
    await leaveOnceSent(call);
    const stopping = Date.now();
    await h.proxy.stop(5000);
    // The answer came ~500 ms after the stop began: the stop waited for it.
    expect(Date.now() - stopping).toBeGreaterThan(300);
    expect(upstream.requests[0]?.closedEarly).toBe(false);
    expect(storedRows(call)).toEqual([expect.objectContaining({ outcome: 'client_aborted', status: 0, input_tokens: 100, output_tokens: 500, cost_nano: 100 * 150 + 500 * 600 })]);
  });

  it('stops a provider that does not answer at the grace period’s end, and writes the call', async () => {
    fault = { kind: 'stall-headers' };
    const call = tagCall();
    await leaveOnceSent(call);
    const stopping = Date.now();
    await h.proxy.stop(300);
    // The grace period (300 ms), not the 5 s header timeout, ended it.
    expect(Date.now() - stopping).toBeLessThan(2500);
    await waitFor(() => upstream.requests[0]?.closedEarly === true, 3000, 'the upstream request cut');
    expect(storedRows(call)).toEqual([expect.objectContaining({ outcome: 'client_aborted', status: 0 })]);
  });
});
