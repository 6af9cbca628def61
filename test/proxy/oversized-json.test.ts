import { describe, expect, it } from 'vitest';
import { sourceOf } from '../../src/proxy/stream-body.js';
import { afterImmediates, bodyText, chatCall, fixture } from './fakes.js';

/**
 * A metered JSON answer larger than the relay copies for metering (64 MiB): a request can
 * ask for one (n answers with top_logprobs: 20, ~1.3 KB per output token; 2,048 float
 * embeddings of 3,072 dimensions), and the provider bills it all the same.
 */

const enc = new TextEncoder();
const MIB = 1 << 20;

/** An OpenAI chat completion of about 65 MiB, its usage at the end as OpenAI sends it; one 1 MiB chunk reused for the filler. */
function hugeAnswer() {
  const filler = enc.encode('a'.repeat(MIB));
  const head = enc.encode('{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":0,"finish_reason":"length","message":{"role":"assistant","content":"');
  const tail = enc.encode('"}}],"usage":{"prompt_tokens":12,"completion_tokens":16000,"total_tokens":16012}}');
  const length = head.length + 65 * MIB + tail.length;
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'content-length': String(length) },
    body: sourceOf(
      (async function* () {
        yield head;
        for (let i = 0; i < 65; i++) yield filler;
        yield tail;
      })(),
    ),
    bytes: () => Promise.reject(new Error('too large to buffer')),
  };
}

describe('a metered JSON answer too large to copy for metering', () => {
  it('is recorded with an estimate at the whole output allowance, not as unknown usage whose reservation is settled at $0', async () => {
    // Was: usage 'unknown', cost null, and the budget settled at 0 for 16,000 billed output tokens.
    const f = fixture(() => hugeAnswer());
    const res = await f.handle(chatCall({ model: 'gpt-4o-mini', max_tokens: 16000, messages: [{ role: 'user', content: 'hi' }] }));
    expect(res.status).toBe(200);
    await bodyText(res);
    await afterImmediates();
    const record = f.records[0]!;
    expect(record.usageSource).toBe('estimated');
    expect(record.usage?.outputTokens).toBe(16000);
    expect(record.costNano).toBeGreaterThan(0);
    expect(f.gate.settled[0]?.[1]).toBe(record.costNano);
  });
});

describe('a metered 2xx answer in a content type the relay cannot read', () => {
  it('is estimated at the whole output allowance, not at the 0 frames relayed (a protobuf answer, as Google APIs send for alt=proto, or any type the relay does not read)', async () => {
    const f = fixture(() => ({
      status: 200,
      headers: { 'content-type': 'application/x-protobuf' },
      body: sourceOf((async function* () { yield new Uint8Array([0x0a, 0x02, 0x68, 0x69]); })()),
      bytes: () => Promise.reject(new Error('not buffered')),
    }));
    const res = await f.handle(chatCall({ model: 'gpt-4o-mini', max_tokens: 8000, messages: [] }));
    await bodyText(res);
    await afterImmediates();
    const record = f.records[0]!;
    expect(record.usageSource).toBe('estimated');
    expect(record.usage?.outputTokens).toBe(8000);
  });
});
