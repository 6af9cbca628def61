import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowOf, rowsOf, tagCall, type TaggedCall } from './call-tag.js';
import { sseFrames } from './fake-upstream.js';
import { FaultUpstream, type Fault } from './fault-upstream.js';
import { waitFor, type CallRow } from './proxy-harness.js';

const STREAM = sseFrames(readFileSync(new URL('../fixtures/openai/chat-stream-usage.sse', import.meta.url), 'utf8'));
const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');

/** A proxy under test, started on a config text (see `faultConfig`). */
export interface FaultTarget {
  secret: string;
  baseUrl(provider?: string): string;
  /** Every stored call, oldest first (what has been written so far). */
  rows(): CallRow[];
  close(): Promise<void>;
}

/** The admin token of the suite's proxy (its key budget is read through GET /admin/budgets). */
export const FAULT_ADMIN_TOKEN = 'fault-suite-admin-token';

/**
 * The config of the suite: `openai` on the faulty provider with 300 ms timeouts, `thinking`
 * on it too with 2 s timeouts (a model that thinks longer than the client waits), a refused
 * port, a name that does not resolve; the metering key `test-key` has a monthly budget.
 */
export function faultConfig(upstreamUrl: string, upstreamKey: string): string {
  return [
    'providers:',
    `  openai: { base_url: "${upstreamUrl}", api_key: "${upstreamKey}", header_timeout_ms: 300, idle_timeout_ms: 300, connect_timeout_ms: 300 }`,
    `  thinking: { kind: openai, base_url: "${upstreamUrl}", api_key: "${upstreamKey}", header_timeout_ms: 2000, idle_timeout_ms: 2000, connect_timeout_ms: 300 }`,
    '  refused: { kind: openai-compatible, base_url: "http://127.0.0.1:9", api_key: "k" }',
    '  nodns: { kind: openai-compatible, base_url: "http://api.nonexistent.invalid/v1", api_key: "k", connect_timeout_ms: 2000 }',
    'keys:',
    '  test-key: { budget: { limit_usd: 100, period: month } }',
    `admin: { token: "${FAULT_ADMIN_TOKEN}" }`,
    'store: { flush_interval_ms: 5 }',
  ].join('\n');
}

/** A chat answer that reports 100 input and 500 output tokens of gpt-4o-mini. */
const THOUGHT = JSON.stringify({
  id: 'chatcmpl-thought',
  object: 'chat.completion',
  model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, message: { role: 'assistant', content: 'a long answer' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 100, completion_tokens: 500, total_tokens: 600 },
});
/** gpt-4o-mini: 100 input tokens at $0.15 and 500 output tokens at $0.60 per million, in nano-USD. */
const THOUGHT_COST_NANO = 100 * 150 + 500 * 600;
/** The output's share of it: what a record at the input's cost leaves out. */
const THOUGHT_OUTPUT_NANO = 500 * 600;

/**
 * A provider that refuses, resets, stalls, cuts streams and sends garbage: the client
 * always gets a native error or a stream that ends the way OpenAI ends a failed one,
 * and every call is still recorded once, with its status and whatever usage was seen.
 * Run on each edge and upstream client (`start` gets the faulty provider's URL).
 */
export function upstreamFaultSuite(name: string, start: (upstreamUrl: string) => Promise<FaultTarget>): void {
describe(`upstream faults (${name})`, () => {
  let fault: Fault = { kind: 'reset' };
  let upstream: FaultUpstream;
  let h: FaultTarget;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await new FaultUpstream(() => fault).start();
    h = await start(upstream.url);
    client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl(), maxRetries: 0 });
  }, 30_000);
  afterAll(async () => {
    await h.close();
    await upstream.stop();
  });

  // Each test finds the row of the call it made by the call's tag (call-tag.ts), never as
  // "the last row": alone (`-t`) there is no earlier row, and the writer may store it late.
  const ask = (call?: TaggedCall) => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello there' }] }, { headers: call?.headers });
  const post = (call: TaggedCall, body: string) => fetch(`${h.baseUrl()}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${h.secret}`, ...call.headers }, body });
  const rowOfCall = (call: TaggedCall) => rowOf(() => h.rows(), call.id);

  it('connection refused → 502 naming the provider, recorded as upstream_failed', async () => {
    const refused = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl('refused'), maxRetries: 0 });
    const call = tagCall();
    const error = (await refused.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }, { headers: call.headers }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error.status).toBe(502);
    expect(error.message).toMatch(/Provider 'refused' at http:\/\/127\.0\.0\.1:9 is unreachable \(ECONNREFUSED\)/);
    expect(error.message).not.toContain('k"');
    expect(await rowOfCall(call)).toMatchObject({ provider: 'refused', status: 502, outcome: 'upstream_failed', cost_nano: 0 });
  });

  it('DNS failure → 502 naming the provider, recorded at zero cost (the provider never saw it)', async () => {
    const nodns = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl('nodns'), maxRetries: 0 });
    const call = tagCall();
    const error = (await nodns.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }, { headers: call.headers }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(502);
    expect(error.message).toMatch(/Provider 'nodns' at http:\/\/api\.nonexistent\.invalid is unreachable \((ENOTFOUND|EAI_AGAIN|UND_ERR_CONNECT_TIMEOUT)\)/);
    expect(await rowOfCall(call)).toMatchObject({ provider: 'nodns', status: 502, outcome: 'upstream_failed', cost_nano: 0, usage_source: 'not_metered' });
  });

  it('connection reset before any response → 502', async () => {
    fault = { kind: 'reset' };
    const call = tagCall();
    const error = (await ask(call).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(502);
    expect(await rowOfCall(call)).toMatchObject({ status: 502, outcome: 'upstream_failed' });
  });

  it('no response headers within header_timeout_ms → 504, and the upstream request is cancelled', async () => {
    fault = { kind: 'stall-headers' };
    const call = tagCall();
    const sent = upstream.requests.length;
    const started = Date.now();
    const error = (await ask(call).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(504);
    expect(error.message).toMatch(/did not answer in time/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await rowOfCall(call)).toMatchObject({ status: 504, outcome: 'upstream_failed' });
    await waitFor(() => upstream.requests[sent]?.closedEarly === true, 3000, 'upstream socket closed');
  });

  it('5xx from the provider passes through unchanged and is recorded as upstream_error', async () => {
    const body = '{"error":{"message":"The server had an error","type":"server_error","param":null,"code":null}}';
    fault = { kind: 'status', status: 503, body };
    const call = tagCall();
    const res = await post(call, '{"model":"gpt-4o-mini"}');
    expect(res.status).toBe(503);
    expect(await res.text()).toBe(body);
    expect(await rowOfCall(call)).toMatchObject({ status: 503, outcome: 'upstream_error', cost_nano: 0, usage_source: 'not_metered' });
  });

  it('invalid JSON with 200 is passed through and recorded with usage unknown (cost null, not 0)', async () => {
    fault = { kind: 'garbage', body: '{"choices": [ not json' };
    const call = tagCall();
    const res = await post(call, '{"model":"gpt-4o-mini"}');
    expect(await res.text()).toBe('{"choices": [ not json');
    expect(await rowOfCall(call)).toMatchObject({ usage_source: 'unknown', outcome: 'ok', cost_nano: null, input_tokens: null });
  });

  it('a stream cut before its usage event ends with an OpenAI error frame and is recorded with estimated usage', async () => {
    // The provider cuts the stream once the client has its 4 frames, not on a timer: with
    // Bun's fetch as the upstream client, frames still unread when the connection fails
    // are dropped by the runtime (see server/bun-upstream.ts), so a cut racing a slow relay
    // would test the machine's load.
    let delivered = (): void => {};
    fault = { kind: 'stream', frames: STREAM, cutAfter: 4, cutWhen: new Promise<void>((r) => (delivered = r)) };
    const call = tagCall();
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hello there' }] }, { headers: call.headers });
    let chunks = 0;
    const error = await (async () => {
      for await (const _ of stream) if (++chunks === 4) delivered();
    })().catch((e: unknown) => e);
    delivered();
    expect(chunks).toBe(4);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toMatch(/stream failed before it finished/);
    const row = await rowOfCall(call);
    expect(row).toMatchObject({ streamed: 1, outcome: 'upstream_failed' });
    expect(row.usage_source).toBe('estimated');
    expect(Number(row.output_tokens)).toBe(4);
    expect(Number(row.input_tokens)).toBeGreaterThan(0);
    expect(Number(row.cost_nano)).toBeGreaterThan(0);
  });

  it('a stream idle longer than idle_timeout_ms between chunks ends with an error frame', async () => {
    fault = { kind: 'stream', frames: STREAM, stallAfter: 3 };
    const call = tagCall();
    const sent = upstream.requests.length;
    const res = await post(call, '{"model":"gpt-4o-mini","stream":true}');
    const text = await res.text();
    expect(text.startsWith(STREAM.slice(0, 3).join(''))).toBe(true);
    expect(text).toMatch(/data: \{"error":\{"message":"The provider's stream failed/);
    expect(await rowOfCall(call)).toMatchObject({ outcome: 'upstream_failed', streamed: 1 });
    await waitFor(() => upstream.requests[sent]?.closedEarly === true, 3000, 'upstream socket closed');
  });

  it('garbage inside a stream is relayed and recorded with whatever usage was seen', async () => {
    fault = { kind: 'stream', frames: ['data: {not json}\n\n', ...STREAM.slice(1)] };
    const call = tagCall();
    const res = await post(call, '{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true}}');
    expect(await res.text()).toBe(['data: {not json}\n\n', ...STREAM.slice(1)].join(''));
    expect(await rowOfCall(call)).toMatchObject({ outcome: 'ok', streamed: 1, usage_source: 'reported', input_tokens: 1250, output_tokens: 9, cost_nano: 116_100 });
  });

  /** Sends a chat call to `provider` and leaves it after `leaveAfterMs` (an SDK timeout, a closed tab); resolves once the client has left. */
  const leaveCall = async (call: TaggedCall, provider: string, leaveAfterMs: number, body = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"think hard"}]}') => {
    const controller = new AbortController();
    const pending = fetch(`${h.baseUrl(provider)}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${h.secret}`, ...call.headers }, body, signal: controller.signal }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, leaveAfterMs));
    controller.abort();
    await pending;
  };
  /** What the key's budget has spent so far, USD. */
  const keySpent = async () => {
    const res = await fetch(`${new URL(h.baseUrl()).origin}/admin/budgets?kind=key`, { headers: { authorization: `Bearer ${FAULT_ADMIN_TOKEN}` } });
    const body = (await res.json()) as { budgets: Array<{ name: string; spent_usd: number }> };
    return body.budgets.find((b) => b.name === 'test-key')?.spent_usd ?? Number.NaN;
  };

  it('a client that leaves while the provider is thinking: the request stays open until the header timeout cuts it, recorded client_aborted', async () => {
    fault = { kind: 'stall-headers' };
    const call = tagCall();
    const before = upstream.requests.length;
    const controller = new AbortController();
    const pending = fetch(`${h.baseUrl()}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.secret}`, ...call.headers },
      body: '{"model":"gpt-4o-mini"}',
      signal: controller.signal,
    }).catch((e: unknown) => e);
    await waitFor(() => upstream.requests.length > before, 3000, 'upstream request');
    controller.abort();
    await pending;
    // The provider has the whole request and would bill its answer: the proxy waits for it (300 ms header timeout).
    await new Promise((r) => setTimeout(r, 100));
    expect(upstream.requests[before]?.closedEarly, 'still open 100 ms after the client left').toBe(false);
    await waitFor(() => upstream.requests[before]?.closedEarly === true, 3000, 'upstream cut by the header timeout');
    expect(await rowOfCall(call)).toMatchObject({ outcome: 'client_aborted', status: 0 });
  });

  it('a client that leaves a non-streamed call before its answer: the answer is read and metered in full, recorded client_aborted', async () => {
    fault = { kind: 'status', status: 200, body: THOUGHT, delayMs: 300 };
    const call = tagCall();
    const sent = upstream.requests.length;
    await leaveCall(call, 'thinking', 50);
    const row = await rowOfCall(call);
    expect(row).toMatchObject({ outcome: 'client_aborted', status: 0, usage_source: 'reported', input_tokens: 100, output_tokens: 500, cost_nano: THOUGHT_COST_NANO });
    // The provider kept its connection until it had answered.
    expect(upstream.requests[sent]?.closedEarly).toBe(false);
  });

  it("the key's budget is charged the whole answer of a client that left before it", async () => {
    fault = { kind: 'status', status: 200, body: THOUGHT, delayMs: 300 };
    const before = await keySpent();
    const call = tagCall();
    await leaveCall(call, 'thinking', 50);
    await rowOfCall(call);
    const spent = await keySpent();
    // The budget settles when the call is recorded (before the record is written).
    expect(spent - before).toBeGreaterThanOrEqual((THOUGHT_COST_NANO - 1) / 1e9);
    expect(spent - before, 'the output is charged, not only the input').toBeGreaterThan(THOUGHT_OUTPUT_NANO / 1e9);
  });

  it('a client that leaves mid-stream cancels the upstream stream and is recorded once', async () => {
    fault = { kind: 'stream', frames: STREAM, delayMs: 100 };
    const call = tagCall();
    const sent = upstream.requests.length;
    const controller = new AbortController();
    const res = await fetch(`${h.baseUrl()}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.secret}`, ...call.headers },
      body: '{"model":"gpt-4o-mini","stream":true}',
      signal: controller.signal,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    controller.abort();
    await waitFor(() => upstream.requests[sent]?.closedEarly === true, 3000, 'upstream stream cancelled');
    expect(await rowOfCall(call)).toMatchObject({ outcome: 'client_aborted', usage_source: 'estimated' });
    // Its row is stored; a second record of the call would follow within this window (not a wait for a row).
    await new Promise((r) => setTimeout(r, 100));
    expect(rowsOf(h.rows(), call.id)).toHaveLength(1);
  });

  it('CHAT fixture still works through the faulty provider when it behaves', async () => {
    fault = { kind: 'status', status: 200, body: CHAT };
    const res = await ask();
    expect(res.usage?.total_tokens).toBe(1259);
  });
});
}
