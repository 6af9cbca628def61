import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { sourceOf } from '../../src/proxy/stream-body.js';
import type { UpstreamRequest, UpstreamResponse } from '../../src/proxy/types.js';
import { afterImmediates, bodyText, chatCall, fixture, sseAnswer, type FakeCall, type Fixture } from './fakes.js';

/**
 * A non-streamed text answer whose usage tokometer never read, though the relay passed its
 * bytes on: one over the 64 MiB it copies for metering, or one cut mid-body. Its output was
 * counted at the request's allowance alone, which for a call without max_tokens is what the
 * budget expects (1,024 tokens without history): a 65 MiB answer recorded at 1,024 output
 * tokens, orders of magnitude under what it held. Its output is now at least what its bytes
 * hold at 4 bytes per token, at most the model's context window (for each of its answers)
 * when the catalog gives one, never less than the allowance; a max_tokens the request set
 * stays the bound. The note says how. The budget settles at the recorded cost.
 *
 * A stream whose usage never arrives was already counted from what was relayed (a token per
 * frame, or the text its frames carried: usageless-stream-text.test.ts), never at the
 * allowance alone; its bytes are mostly framing (~200 bytes of an OpenAI chunk per token), so
 * they are not its measure. The last test keeps that.
 */

const enc = new TextEncoder();
const MIB = 1 << 20;
/** FAKE_PRICER: 10 nano-USD per input token, 20 per output token. */
const fakeCost = (input: number, output: number) => input * 10 + output * 20;
const ASK = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Tell me everything, with logprobs.' }] };

/** A chat completion of `mib` MiB and a bit, relayed as it comes (one 1 MiB chunk reused for the filler); its byte length. */
function hugeAnswer(mib: number): { answer: UpstreamResponse; bytes: number } {
  const filler = enc.encode('a'.repeat(MIB));
  const head = enc.encode('{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"');
  const tail = enc.encode('"}}],"usage":{"prompt_tokens":12,"completion_tokens":16000,"total_tokens":16012}}');
  const bytes = head.length + mib * MIB + tail.length;
  const answer = {
    status: 200,
    headers: { 'content-type': 'application/json', 'content-length': String(bytes) },
    body: sourceOf(
      (async function* () {
        yield head;
        for (let i = 0; i < mib; i++) yield filler;
        yield tail;
      })(),
    ),
    bytes: () => Promise.reject(new Error('too large to buffer')),
  };
  return { answer, bytes };
}

/** A chat completion without Content-Length (relayed as it comes) whose body breaks after `size` bytes. */
function cutAnswer(size: number): UpstreamResponse {
  const head = '{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"';
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: sourceOf(
      (async function* () {
        yield enc.encode(head + 'a'.repeat(size - head.length));
        throw Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
      })(),
    ),
    bytes: () => Promise.reject(new Error('relayed, not read whole')),
  };
}

/** A fixture whose gate expects 1,024 output tokens of a call without max_tokens (the real gate's default without history). */
function withDefaultExpectation(answer: (req: UpstreamRequest) => UpstreamResponse): Fixture {
  const f = fixture(answer);
  (f.gate as { expectedOutputTokens?: () => number }).expectedOutputTokens = () => 1024;
  return f;
}

/** Gives the fixture's pricer the catalog's descriptions (context windows: gpt-4o-mini's is 128,000 tokens). */
function withCatalogWindows(f: Fixture): Fixture {
  const catalog = createPricer();
  Object.assign(f.pricer, { describe: (model: string, provider?: string, at?: number) => catalog.describe(model, provider, at) });
  return f;
}

async function onlyRecord(f: Fixture, call: FakeCall) {
  const res = await f.handle(call);
  await bodyText(res).catch(() => '');
  await afterImmediates();
  expect(f.records).toHaveLength(1);
  return f.records[0]!;
}

function embeddingsCall(body: object): FakeCall {
  return { ...chatCall(body), url: '/proxy/openai/embeddings' };
}

describe('a JSON answer over 64 MiB, relayed unread, of a request without max_tokens', () => {
  it('counts its output from its bytes at 4 per token, not at the 1,024 tokens expected, and settles the budget at that cost', async () => {
    const { answer, bytes } = hugeAnswer(65);
    const f = withDefaultExpectation(() => answer);
    const r = await onlyRecord(f, chatCall(ASK));
    const output = Math.ceil(bytes / 4);
    expect(output).toBeGreaterThan(17_000_000);
    expect(r).toMatchObject({ outcome: 'ok', usageSource: 'estimated' });
    expect(r.usage?.outputTokens).toBe(output);
    expect(r.error).toBe(
      `usage estimated from the answer's size: the answer (${bytes} bytes) was too large to read for usage, so its output is counted from its bytes at 4 bytes per token: ${output} tokens, more than the request's allowance (1024 tokens)`,
    );
    expect(r.costNano).toBe(fakeCost(r.usage!.inputTokens, output));
    expect(f.gate.settled).toEqual([['r1', r.costNano]]);
  });

  it("counts at most the model's context window when the catalog gives one (gpt-4o-mini: 128,000 tokens), n answers n windows", async () => {
    const one = hugeAnswer(65);
    const f = withCatalogWindows(withDefaultExpectation(() => one.answer));
    const r = await onlyRecord(f, chatCall(ASK));
    expect(r.usage?.outputTokens).toBe(128_000);
    expect(r.error).toBe(
      `usage estimated from the answer's size: the answer (${one.bytes} bytes) was too large to read for usage, so its output is counted from its bytes at 4 bytes per token (${Math.ceil(one.bytes / 4)} tokens), at most the model's context window: 128000 tokens, more than the request's allowance (1024 tokens)`,
    );
    expect(f.gate.settled).toEqual([['r1', fakeCost(r.usage!.inputTokens, 128_000)]]);

    const two = hugeAnswer(65);
    const g = withCatalogWindows(withDefaultExpectation(() => two.answer));
    const s = await onlyRecord(g, chatCall({ ...ASK, n: 2 }));
    expect(s.usage?.outputTokens).toBe(256_000);
    expect(s.error).toContain("at most the model's context window for each of its 2 answers: 256000 tokens, more than the request's allowance (2048 tokens)");
  });

  it('keeps a max_tokens the request set as the bound: counted at it, the note giving the size', async () => {
    const { answer, bytes } = hugeAnswer(65);
    const f = withDefaultExpectation(() => answer);
    const r = await onlyRecord(f, chatCall({ ...ASK, max_tokens: 16000 }));
    expect(r.usage?.outputTokens).toBe(16000);
    expect(r.error).toBe(`usage estimated from the request: the answer (${bytes} bytes) was too large to read for usage, so its output is counted at the request's allowance (16000 tokens)`);
  });

  it('leaves an embeddings answer over 64 MiB (2,048 vectors of 3,072 floats) at its allowance: its bytes are vectors, not output tokens', async () => {
    const { answer } = hugeAnswer(65);
    const f = withDefaultExpectation(() => answer);
    const r = await onlyRecord(f, embeddingsCall({ model: 'text-embedding-3-large', input: ['a', 'b'] }));
    expect(r.usage?.outputTokens).toBe(1024);
  });
});

describe('a JSON answer cut mid-body, relayed as it came, of a request without max_tokens', () => {
  it('counts its output from the bytes relayed before the cut when they hold more than the allowance', async () => {
    const f = withDefaultExpectation(() => cutAnswer(200_000));
    const r = await onlyRecord(f, chatCall(ASK));
    expect(r).toMatchObject({ outcome: 'upstream_failed', usageSource: 'estimated' });
    expect(r.usage?.outputTokens).toBe(50_000);
    expect(r.error).toBe(
      "upstream body failed: other side closed; the answer was cut after the provider generated it: output counted from the 200000 bytes relayed before the cut at 4 bytes per token, 50000 tokens, more than the request's allowance (1024 tokens)",
    );
    expect(f.gate.settled).toEqual([['r1', fakeCost(r.usage!.inputTokens, 50_000)]]);
  });

  it('stays at the allowance when the bytes relayed hold fewer tokens (2,000 bytes: 500 < 1,024)', async () => {
    const f = withDefaultExpectation(() => cutAnswer(2_000));
    const r = await onlyRecord(f, chatCall(ASK));
    expect(r.usage?.outputTokens).toBe(1024);
    expect(r.error).toBe("upstream body failed: other side closed; the answer was cut after the provider generated it: output counted at the request's allowance, 1024 tokens");
  });
});

describe('an answer read whole', () => {
  it('is unchanged: its usage, or without one its text, counts, never its bytes', async () => {
    const body = JSON.stringify({ id: 'c', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'x'.repeat(40_000) } }], usage: { prompt_tokens: 12, completion_tokens: 9000, total_tokens: 9012 } });
    const f = withDefaultExpectation(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: sourceOf((async function* () { yield enc.encode(body); })()), bytes: () => Promise.reject(new Error('relayed')) }));
    const r = await onlyRecord(f, chatCall(ASK));
    expect(r).toMatchObject({ usageSource: 'reported', usage: { inputTokens: 12, outputTokens: 9000 } });

    const bare = JSON.stringify({ id: 'c', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'x'.repeat(40_000) } }] });
    const g = withDefaultExpectation(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: sourceOf((async function* () { yield enc.encode(bare); })()), bytes: () => Promise.reject(new Error('relayed')) }));
    const s = await onlyRecord(g, chatCall(ASK));
    expect(s).toMatchObject({ usageSource: 'estimated', usage: { outputTokens: 10_000 } });
    expect(s.error).toContain('counted from the 40000 characters it generated');
  });
});

describe('a stream whose usage never arrives', () => {
  const chunk = (content: string) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content } }] })}\n\n`;
  const frames = [...Array.from({ length: 3000 }, () => chunk(' word')), 'data: [DONE]\n\n'];

  it('is counted from the frames relayed, not at the 1,024-token allowance, whole or cut', async () => {
    const whole = await onlyRecord(withDefaultExpectation((req) => sseAnswer(req, frames)), chatCall({ ...ASK, stream: true }));
    expect(whole).toMatchObject({ outcome: 'ok', usageSource: 'estimated' });
    const cut = await onlyRecord(withDefaultExpectation((req) => sseAnswer(req, frames, { failAfter: 3000 })), chatCall({ ...ASK, stream: true }));
    expect(cut).toMatchObject({ outcome: 'upstream_failed', usageSource: 'estimated' });
    for (const r of [whole, cut]) {
      expect(r.usage?.outputTokens).toBeGreaterThanOrEqual(3000);
      expect(r.usage?.outputTokens).toBeLessThan(3010);
    }
  });
});
