import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, waitFor, type Harness } from '../support/proxy-harness.js';
import { capTestKey, postAsTestKey } from './concurrent-spend.js';

/**
 * A non-streamed answer cut mid-body was generated (and billed) whole: the key's spend counts
 * its output at the request's allowance, so a capped key cannot get answers through by having
 * them cut (a new user's trial let 43 such answers through a $0.01 cap at $0.003 recorded).
 * Prices from the pinned catalog: gpt-4o-mini $0.15 per 1M input tokens, $0.60 per 1M output.
 */
describe('a key budget after a non-streamed answer cut mid-body', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("the key's spend includes the output allowance's cost, and the next call is refused once that spend reaches the cap", async () => {
    const json = JSON.stringify({ id: 'x', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'A long story.' } }], usage: { prompt_tokens: 10, completion_tokens: 500, total_tokens: 510 } });
    // Content-Length is the whole answer's; the socket is cut after its first half.
    h = await startHarness({ upstream: { reply: () => ({ body: [json.slice(0, 40), json.slice(40)], headers: { 'content-length': String(json.length) }, cutAfterChunks: 1 }) } });
    // $0.00025: below one call's allowance (500 output tokens × 600 nano = $0.0003); the first call runs alone (a cap may be overshot by one call).
    const LIMIT = 250_000;
    await capTestKey(h, LIMIT);
    const ask = { model: 'gpt-4o-mini', max_tokens: 500, messages: [{ role: 'user', content: 'Write me a long story about the sea.' }] };
    const first = await postAsTestKey(h, '/chat/completions', ask);
    expect(first.status).toBe(502);
    await first.text();
    await waitFor(() => h!.records.length === 1, 5000, 'the cut call recorded');
    const r = h.records[0]!;
    expect(r).toMatchObject({ outcome: 'upstream_failed', usageSource: 'estimated' });
    expect(r.usage?.outputTokens).toBe(500);
    expect(r.costNano).toBe(r.usage!.inputTokens * 150 + 500 * 600);
    const key = h.proxy.budgets!.snapshot().find((b) => b.kind === 'key');
    expect(key?.spentNano).toBe(r.costNano);
    // Spent past the cap: the next call is refused (counted at input cost only, it was admitted).
    const second = await postAsTestKey(h, '/chat/completions', ask);
    expect(second.status).toBe(429);
    await second.text();
  });
});
