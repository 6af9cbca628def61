import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { ReceivedRequest, Reply } from '../support/fake-upstream.js';
import { UPSTREAM_KEY, startHarness, waitFor } from '../support/proxy-harness.js';
import { sdkHarness } from './sdk-harness.js';

/**
 * OpenAI background responses through the official SDK: `responses.create({ background: true })`
 * answers `queued` with no usage; tokometer reads `GET /responses/{id}` itself until the
 * response ends and records the call then, with the usage of its end (PROVIDERS.md §1).
 */

const MODEL = 'gpt-4o-mini-2024-07-18';
/** The final usage of every response that completes here. */
const USAGE = { input_tokens: 1000, input_tokens_details: { cached_tokens: 200 }, output_tokens: 2000, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 3000 };
// gpt-4o-mini per token: input 150, cached input 75, output 600 nano-USD.
//   800 × 150 = 120,000;  200 × 75 = 15,000;  2000 × 600 = 1,200,000  → 1,335,000 nano-USD.
const COST_NANO = 1_335_000;

function response(id: string, status: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ id, object: 'response', created_at: 1767225600, status, background: true, model: MODEL, output: [], usage: null, ...extra });
}

/**
 * A provider whose background responses run until the test ends them: each POST gets a new
 * id; a GET answers `in_progress` until `ends` has an entry for that id, then that end.
 */
function backgroundProvider() {
  const ends = new Map<string, Reply>();
  let next = 0;
  const reply = (req: ReceivedRequest): Reply | undefined => {
    // The proxy's base URL has no /v1; a client whose base URL has one sends /v1/responses.
    const url = req.url.startsWith('/v1/') ? req.url.slice(3) : req.url;
    if (req.method === 'POST' && url === '/responses' && (req.json as { stream?: boolean }).stream === true) {
      // A streamed background response: it starts, then the stream hangs until the client leaves.
      const id = `resp_bg_${++next}`;
      const created = JSON.parse(response(id, 'queued')) as unknown;
      const frame = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
      return {
        headers: { 'content-type': 'text/event-stream' },
        body: [frame('response.created', { sequence_number: 0, response: created }), frame('response.output_text.delta', { sequence_number: 1, delta: 'Hel' })],
        hold: new Promise(() => {}),
      };
    }
    if (req.method === 'POST' && url === '/responses') return { body: response(`resp_bg_${++next}`, 'queued') };
    const polled = /^\/responses\/([^/?]+)$/.exec(url);
    if (req.method === 'GET' && polled) return ends.get(polled[1] as string) ?? { body: response(polled[1] as string, 'in_progress') };
    return undefined;
  };
  const end = (id: string, status: string, extra: Record<string, unknown> = { usage: USAGE }) => ends.set(id, { body: response(id, status, extra) });
  return { reply, ends, end };
}

const CONFIG = (url: string) => `providers:\n  openai: { base_url: "${url}", api_key: "${UPSTREAM_KEY}" }\nstore: { flush_interval_ms: 5 }\nlimits: { background_poll_ms: 20 }\n`;

describe('OpenAI background responses through tokometer', () => {
  const tags = { feature: 'research', tenant_id: 't_8472' };
  const provider = backgroundProvider();
  const h = sdkHarness({ upstream: { reply: provider.reply }, configYaml: CONFIG }, (started) =>
    new OpenAI({ apiKey: started.secret, baseURL: started.baseUrl(), maxRetries: 0, defaultHeaders: { 'X-Metering-Tags': JSON.stringify(tags) } }),
  );

  it('records the call when the response ends, with its final usage, cost, key and tags', async () => {
    const before = h.records.length;
    const res = await h.client.responses.create({ model: 'gpt-4o-mini', input: 'research this', background: true });
    expect(res.status).toBe('queued');
    // tokometer is reading the response itself, with the provider key, and records nothing yet.
    await waitFor(() => h.fake.requests.some((r) => r.method === 'GET' && r.url === `/responses/${res.id}`), 5000, 'a read of the response');
    expect(h.records.length).toBe(before);
    const read = h.fake.requests.find((r) => r.method === 'GET' && r.url === `/responses/${res.id}`) as ReceivedRequest;
    expect(read.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(h.proxy.metrics.render()).toContain('tokometer_background_pending 1');

    provider.end(res.id, 'completed');
    const row = await h.rowAfter(before);
    expect(row).toMatchObject({
      endpoint: 'responses', model_requested: 'gpt-4o-mini', model: MODEL, status: 200, outcome: 'ok', streamed: 0,
      input_tokens: 1000, cached_input_tokens: 200, output_tokens: 2000, cost_nano: COST_NANO, usage_source: 'reported', key_name: 'test-key', error: null,
    });
    expect(row.tags).toEqual(tags);
    expect(h.records.length).toBe(before + 1);
    expect(h.proxy.metrics.render()).toContain('tokometer_background_pending 0');
    expect(h.fake.problems).toEqual([]);
  });

  it("the client's own read of the result is recorded unpriced, so the response is metered once", async () => {
    const before = h.records.length;
    const res = await h.client.responses.create({ model: 'gpt-4o-mini', input: 'again', background: true });
    provider.end(res.id, 'completed');
    expect(await h.rowAfter(before)).toMatchObject({ endpoint: 'responses', cost_nano: COST_NANO });
    const done = await h.client.responses.retrieve(res.id);
    expect(done.status).toBe('completed');
    expect(await h.rowAfter(before + 1)).toMatchObject({ endpoint: 'other', cost_nano: 0, usage_source: 'not_metered' });
    // Later reads of the result (the proxy's own stop once it saw the end) add nothing.
    await new Promise((r) => setTimeout(r, 100));
    expect(h.records.slice(before).map((r) => r.costNano)).toEqual([COST_NANO, 0]);
  });

  it('a failed response is recorded as upstream_failed with the usage it reports and the reason', async () => {
    const before = h.records.length;
    const res = await h.client.responses.create({ model: 'gpt-4o-mini', input: 'fail', background: true });
    provider.end(res.id, 'failed', { usage: USAGE, error: { code: 'server_error', message: 'the model crashed' } });
    expect(await h.rowAfter(before)).toMatchObject({ outcome: 'upstream_failed', cost_nano: COST_NANO, usage_source: 'reported', error: 'background response failed: the model crashed' });
  });

  it('a response cancelled without usage is recorded with its estimate, the output the provider may have billed before the cancel', async () => {
    // OpenAI bills the tokens a background response generated before its cancel, but the
    // cancelled response carries `usage: null`: its usage will never be read, as for a response
    // the provider no longer has, so the estimate counts the request's whole output allowance.
    const before = h.records.length;
    const res = await h.client.responses.create({ model: 'gpt-4o-mini', input: 'cancel me', background: true, max_output_tokens: 1000 });
    provider.end(res.id, 'cancelled', { usage: null });
    const row = await h.rowAfter(before);
    expect(row).toMatchObject({ outcome: 'client_aborted', usage_source: 'estimated', output_tokens: 1000 });
    expect(row.error).toMatch(new RegExp(`background response ${res.id} was cancelled.*usage estimated`));
  });

  it('a streamed background response the client leaves is recorded when it ends, as the provider goes on with it', async () => {
    const before = h.records.length;
    const stream = await h.client.responses.create({ model: 'gpt-4o-mini', input: 'stream it', background: true, stream: true });
    let id = '';
    for await (const event of stream) {
      if (event.type === 'response.created') id = event.response.id;
      break; // the client leaves after the first event
    }
    expect(id).toMatch(/^resp_bg_/);
    await waitFor(() => h.fake.requests.some((r) => r.method === 'GET' && r.url === `/responses/${id}`), 5000, 'a read of the response');
    expect(h.records.length).toBe(before);
    provider.end(id, 'completed');
    expect(await h.rowAfter(before)).toMatchObject({ endpoint: 'responses', streamed: 1, outcome: 'ok', output_tokens: 2000, cost_nano: COST_NANO, usage_source: 'reported' });
  });

  it('reads the response next to the path the client used (a client base URL with /v1)', async () => {
    const before = h.records.length;
    const v1 = new OpenAI({ apiKey: h.secret, baseURL: `${h.baseUrl()}/v1`, maxRetries: 0 });
    const res = await v1.responses.create({ model: 'gpt-4o-mini', input: 'v1', background: true });
    await waitFor(() => h.fake.requests.some((r) => r.method === 'GET' && r.url === `/v1/responses/${res.id}`), 5000, 'a read under /v1');
    provider.end(res.id, 'completed');
    expect(await h.rowAfter(before)).toMatchObject({ cost_nano: COST_NANO, usage_source: 'reported' });
  });

  it('a response the provider no longer has is recorded with its estimate and says why', async () => {
    const before = h.records.length;
    const res = await h.client.responses.create({ model: 'gpt-4o-mini', input: 'gone', background: true });
    provider.ends.set(res.id, { status: 404, body: '{"error":{"message":"No response found","type":"invalid_request_error"}}' });
    const row = await h.rowAfter(before);
    // Output: what the budget estimate expects of a call without max_output_tokens (no history here: 1,024).
    expect(row).toMatchObject({ outcome: 'ok', usage_source: 'estimated', output_tokens: 1024 });
    expect(row.error).toBe(`background response ${res.id}: the provider answered its read with HTTP 404; usage estimated from the request`);
  });
});

describe('a background response holds its budget reservation until it ends', () => {
  it('a second call is refused while the first runs, and the first settles at its real cost', async () => {
    const provider = backgroundProvider();
    // Refused at once (budget_busy) rather than after the default 30 s wait for room.
    const h = await startHarness({ upstream: { reply: provider.reply }, configYaml: (url) => `${CONFIG(url)}budget_admission_wait_ms: 0\n` });
    try {
      // $0.002 a month: one call reserving 2,000 output tokens ($0.0012) fits, two do not.
      await h.proxy.store.keys.update('test-key', { budget: { limitNano: 2_000_000, period: 'month', alertAt: [], soft: false } });
      await h.proxy.keys.reload();
      const client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl(), maxRetries: 0 });
      const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'long research', background: true, max_output_tokens: 2000 });
      const second = client.responses.create({ model: 'gpt-4o-mini', input: 'more research', background: true, max_output_tokens: 2000 });
      await expect(second).rejects.toMatchObject({ status: 429, error: { code: 'budget_busy' } });

      provider.end(first.id, 'completed');
      await waitFor(() => h.records.some((r) => r.outcome === 'ok'), 5000, 'the first call recorded');
      const state = h.proxy.budgets!.snapshot().find((s) => s.name === 'test-key')!;
      expect(state).toMatchObject({ spentNano: COST_NANO, reservedNano: 0, inFlight: 0 });
    } finally {
      await h.close();
    }
  });
});

describe('stopping tokometer while a background response runs', () => {
  it('records the call with its estimate and a note that the response may still be running', async () => {
    const provider = backgroundProvider();
    const h = await startHarness({ upstream: { reply: provider.reply }, configYaml: CONFIG });
    const client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl(), maxRetries: 0 });
    const res = await client.responses.create({ model: 'gpt-4o-mini', input: 'still running', background: true, max_output_tokens: 1000 });
    await waitFor(() => h.fake.requests.some((r) => r.method === 'GET'), 5000, 'a read');
    const rows = () => h.records.filter((r) => r.endpoint === 'responses');
    expect(rows()).toHaveLength(0);
    await h.proxy.stop(1000);
    expect(rows()).toHaveLength(1);
    // Estimated at the whole output the request allowed: the provider may still be producing it.
    expect(rows()[0]?.usage?.outputTokens).toBe(1000);
    expect(rows()[0]).toMatchObject({ outcome: 'ok', usageSource: 'estimated', error: `tokometer stopped before background response ${res.id} ended; usage estimated from the request (the provider may still be running it)` });
    await h.close();
  });

  it('without max_output_tokens, the estimate takes the most output that key and model had lately', async () => {
    const provider = backgroundProvider();
    const h = await startHarness({ upstream: { reply: provider.reply }, configYaml: CONFIG });
    // The budget estimate learns outputs of the calls a budget covers.
    await h.proxy.store.keys.update('test-key', { budget: { limitNano: 1_000_000_000, period: 'month', alertAt: [], soft: false } });
    await h.proxy.keys.reload();
    const client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl(), maxRetries: 0 });
    // A first background response ends with 2,000 output tokens: the budget's output history learns it.
    const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'first', background: true });
    provider.end(first.id, 'completed');
    await waitFor(() => h.records.some((r) => r.usageSource === 'reported'), 5000, 'the first response recorded');
    await client.responses.create({ model: 'gpt-4o-mini', input: 'second, still running', background: true });
    await h.proxy.stop(1000);
    const estimated = h.records.find((r) => r.usageSource === 'estimated');
    expect(estimated?.usage?.outputTokens).toBe(2000);
    await h.close();
  });
});
