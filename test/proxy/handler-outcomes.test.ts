import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FinishedCalls } from '../../src/proxy/finished-calls.js';
import { noApiKeyMessage } from '../../src/proxy/describe-request.js';
import { UpstreamError } from '../../src/proxy/types.js';
import type { CallRecord } from '../../src/store/types.js';
import { afterImmediates, bodyText, chatCall, exhausted, fixture, jsonAnswer, latch } from './fakes.js';

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');
const ERROR_401 = readFileSync(new URL('../fixtures/openai/error-401.json', import.meta.url), 'utf8');
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const ASK = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Capital of France?' }] };

/** The fake pricer's cost of a record's usage. */
const fakeCost = (r: CallRecord) => (r.usage ? r.usage.inputTokens * 10 + r.usage.outputTokens * 20 : null);

describe('the proxy handler on fake dependencies: a completed call', () => {
  it('hands the JSON body over as the provider sent it, then prices, settles and announces the call once, with its trace context', async () => {
    const f = fixture(() => jsonAnswer(CHAT));
    const res = await f.handle(chatCall(ASK, { traceparent: TRACEPARENT, 'x-metering-tags': '{"feature":"qa","team":"spoofed"}' }));
    expect(res.status).toBe(200);
    expect(await bodyText(res)).toBe(CHAT);
    expect(f.records, 'metering runs right after the body is handed over').toHaveLength(0);
    await afterImmediates();
    expect(f.records).toHaveLength(1);
    const r = f.records[0] as CallRecord;
    expect(r).toMatchObject({ keyName: 'app', outcome: 'ok', status: 200, usageSource: 'reported', model: 'gpt-4o-mini-2024-07-18', modelRequested: 'gpt-4o-mini', streamed: false, error: null, priceSource: 'config' });
    expect(r.tags).toEqual({ feature: 'qa', team: 'search' });
    expect(r.usage).toMatchObject({ inputTokens: 1250, outputTokens: 9 });
    expect(r.costNano).toBe(fakeCost(r));
    expect(f.gate.requests).toHaveLength(1);
    expect(f.gate.settled).toEqual([['r1', r.costNano]]);
    expect(f.announced[0]?.traceparent).toBe(TRACEPARENT);
    expect(f.upstream.requests[0]?.headers.authorization).toBe('Bearer sk-upstream');
    expect(f.upstream.requests[0]?.headers['x-metering-tags']).toBeUndefined();
    await afterImmediates();
    expect(f.records).toHaveLength(1);
  });

  it("passes a provider's error answer through as upstream_error, not metered, and settles the reservation at 0", async () => {
    const f = fixture(() => jsonAnswer(ERROR_401, 401));
    const res = await f.handle(chatCall(ASK));
    expect(res.status).toBe(401);
    expect(await bodyText(res)).toBe(ERROR_401);
    await afterImmediates();
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({ outcome: 'upstream_error', status: 401, usageSource: 'not_metered', usage: null, costNano: 0 });
    expect(f.gate.settled).toEqual([['r1', 0]]);
  });
});

describe('the proxy handler on fake dependencies: refused calls', () => {
  it('answers a missing or unknown key with 401 and records nothing; the gate and the provider never hear of it', async () => {
    const f = fixture(() => jsonAnswer(CHAT));
    expect((await f.handle(chatCall(ASK, { authorization: '' }))).status).toBe(401);
    expect((await f.handle(chatCall(ASK, { authorization: 'Bearer mk_unknown' }))).status).toBe(401);
    await afterImmediates();
    expect(f.records).toEqual([]);
    expect(f.gate.requests).toEqual([]);
    expect(f.upstream.requests).toEqual([]);
  });

  it('refuses malformed tags with 400 and one refused record carrying the key and its fixed tags', async () => {
    const f = fixture(() => jsonAnswer(CHAT));
    const res = await f.handle(chatCall(ASK, { 'x-metering-tags': '{"feature":' }));
    expect(res.status).toBe(400);
    expect(JSON.parse(await bodyText(res)).error.message).toMatch(/X-Metering-Tags/i);
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({ keyName: 'app', outcome: 'refused', status: 400, tags: { team: 'search' }, usageSource: 'not_metered', costNano: 0 });
    expect(f.gate.requests).toEqual([]);
    expect(f.upstream.requests).toEqual([]);
  });

  it("refuses a model the key may not use with 403, after reading the body (the record has the request's model and size)", async () => {
    const f = fixture(() => jsonAnswer(CHAT), { models: ['gpt-4o'] });
    const res = await f.handle(chatCall(ASK));
    expect(res.status).toBe(403);
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({ outcome: 'refused', status: 403, modelRequested: 'gpt-4o-mini', promptBytes: JSON.stringify(ASK).length });
    expect(f.gate.requests).toEqual([]);
  });

  it('answers a provider without an API key with 502 naming the config field and its environment variable', async () => {
    const f = fixture(() => jsonAnswer(CHAT), {}, undefined, 'providers:\n  openai: { base_url: "http://upstream.invalid/v1" }\n');
    const res = await f.handle(chatCall(ASK));
    expect(res.status).toBe(502);
    expect(await bodyText(res)).toContain("No API key is configured for provider 'openai': set providers.openai.api_key in the config or OPENAI_API_KEY in serve's environment");
    expect(f.upstream.requests).toEqual([]);
    expect(noApiKeyMessage('gemini')).toContain('set providers.gemini.api_key in the config or GEMINI_API_KEY (or GOOGLE_API_KEY) in serve');
    expect(noApiKeyMessage('acme')).toBe(
      "No API key is configured for provider 'acme': set providers.acme.api_key in the config (a provider that is not built in has no key variable of its own; api_key: ${ACME_KEY} reads one), then restart serve.",
    );
  });

  it("refuses a spent budget with the gate's 429 in the provider's shape; nothing is held, the block is counted", async () => {
    const f = fixture(() => jsonAnswer(CHAT));
    f.gate.next = exhausted;
    const res = await f.handle(chatCall(ASK));
    expect(res.status).toBe(429);
    expect(res.headers['x-should-retry']).toBe('false');
    expect(JSON.parse(await bodyText(res)).error).toMatchObject({ code: 'budget_exceeded', reset_at: '2026-12-01T00:00:00Z' });
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({ outcome: 'refused', status: 429, costNano: 0 });
    expect(f.gate.settled).toEqual([]);
    expect(f.upstream.requests).toEqual([]);
    expect(f.metrics.render()).toContain('tokometer_budget_blocks_total 1');
  });
});

describe('the proxy handler on fake dependencies: a gate that makes the call wait', () => {
  it('forwards the call once the gate answers its promise, and settles the reservation it got', async () => {
    const f = fixture(() => jsonAnswer(CHAT));
    const room = latch();
    f.gate.next = async () => {
      await room.wait;
      return { ok: true, reservation: 'waited' };
    };
    const pending = f.handle(chatCall(ASK));
    await afterImmediates();
    expect(f.upstream.requests, 'not forwarded while waiting').toEqual([]);
    room.open();
    const res = await pending;
    expect(res.status).toBe(200);
    await afterImmediates();
    expect(f.records).toHaveLength(1);
    expect(f.records[0]?.outcome).toBe('ok');
    expect(f.gate.settled).toEqual([['waited', f.records[0]?.costNano]]);
  });

  it("records a client that leaves while waiting as client_aborted with nothing held, no usage, and never forwards it", async () => {
    const f = fixture(() => jsonAnswer(CHAT));
    f.gate.next = (_req, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve({ ok: false, aborted: true }), { once: true }));
    const call = chatCall(ASK);
    const pending = f.handle(call);
    await afterImmediates();
    call.leave();
    const res = await pending;
    expect(res.status).toBe(499);
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({ outcome: 'client_aborted', status: 0, usage: null, usageSource: 'not_metered', costNano: 0 });
    expect(f.gate.settled).toEqual([]);
    expect(f.upstream.requests).toEqual([]);
  });

  it('takes a refusal that comes after a wait like an immediate one', async () => {
    const f = fixture(() => jsonAnswer(CHAT));
    f.gate.next = async (req) => exhausted(req);
    const res = await f.handle(chatCall(ASK));
    expect(res.status).toBe(429);
    expect(f.records.map((r) => r.outcome)).toEqual(['refused']);
  });
});

describe('the proxy handler on fake dependencies: failed calls', () => {
  it('answers a refused connection with 502; nothing reached the provider, so nothing is metered; the reservation is settled at 0', async () => {
    const f = fixture(() => Promise.reject(new UpstreamError('unreachable', 'ECONNREFUSED')));
    const res = await f.handle(chatCall(ASK));
    expect(res.status).toBe(502);
    expect(JSON.parse(await bodyText(res)).error.message).toBe("Provider 'openai' at http://upstream.invalid is unreachable (ECONNREFUSED).");
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({ outcome: 'upstream_failed', status: 502, usageSource: 'not_metered', error: "Provider 'openai' at http://upstream.invalid is unreachable (ECONNREFUSED)." });
    expect(f.gate.settled).toEqual([['r1', 0]]);
  });

  it('answers a provider that does not answer in time with 504; the request reached it, so the prompt is estimated', async () => {
    const f = fixture(() => Promise.reject(new UpstreamError('timeout', 'headers timeout')));
    const res = await f.handle(chatCall(ASK));
    expect(res.status).toBe(504);
    const r = f.records[0] as CallRecord;
    expect(r).toMatchObject({ outcome: 'upstream_failed', status: 504, usageSource: 'estimated', error: "Provider 'openai' at http://upstream.invalid did not answer in time (headers timeout)." });
    expect(r.usage?.inputTokens).toBeGreaterThan(0);
    expect(r.costNano).toBe(fakeCost(r));
    expect(f.gate.settled).toEqual([['r1', r.costNano]]);
  });

  it("answers a JSON body that breaks while read whole with the provider-shaped 502; the record has the client's status", async () => {
    const f = fixture(() => jsonAnswer(CHAT, 200, new Error('other side closed')));
    const res = await f.handle(chatCall(ASK));
    expect(res.status).toBe(502);
    expect(JSON.parse(await bodyText(res)).error.message).toBe("Provider 'openai' failed while sending its response (other side closed).");
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({ outcome: 'upstream_failed', status: 502, error: 'upstream body failed: other side closed' });
  });

  it('records a client that leaves before a provider that never answers as client_aborted, and answers 499', async () => {
    // The request is not aborted when its client leaves (the provider would bill the answer): the provider's header timeout ends it.
    const call = chatCall(ASK);
    const f = fixture(
      (req) =>
        new Promise((_resolve, reject) => {
          req.cancel.onAbort(() => reject(new Error('aborted')));
          call.leave();
          setTimeout(() => reject(new UpstreamError('timeout', 'no response headers within 300 ms')), 60);
        }),
    );
    const res = await f.handle(call);
    expect(res.status).toBe(499);
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({ outcome: 'client_aborted', status: 0, error: 'client disconnected before the provider answered' });
    expect(f.gate.settled).toHaveLength(1);
  });
});

describe('FinishedCalls', () => {
  it('tells every listener about every call in subscription order; a listener that throws is reported and the others still hear', () => {
    const errors: unknown[] = [];
    const hub = new FinishedCalls((e) => errors.push(e));
    const heard: string[] = [];
    hub.subscribe(() => heard.push('first'));
    const off = hub.subscribe(() => {
      throw new Error('telemetry down');
    });
    hub.subscribe(() => heard.push('third'));
    const record = { ts: 1 } as CallRecord;
    hub.announce(record, { traceparent: undefined, tracestate: undefined, responseModel: null, finishReasons: null, budget: null });
    expect(heard).toEqual(['first', 'third']);
    expect(errors.map((e) => (e as Error).message)).toEqual(['telemetry down']);
    off();
    hub.announce(record, { traceparent: undefined, tracestate: undefined, responseModel: null, finishReasons: null, budget: null });
    expect(heard).toEqual(['first', 'third', 'first', 'third']);
    expect(errors).toHaveLength(1);
  });
});
