import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceivedRequest, Reply } from '../support/fake-upstream.js';
import { startHarness, type Harness } from '../support/proxy-harness.js';

/**
 * A Responses request that continues an earlier response (`previous_response_id`) or a
 * `conversation` is billed for that earlier input and output again. Its budget estimate
 * must count them, though its own body is a few bytes: otherwise follow-ups pass a cap.
 */

// gpt-4o-mini: 150 nano-USD per input token, 600 per output token.
const FIRST = { input: 50_000, output: 1_000 }; // 7,500,000 + 600,000 = 8,100,000 nano-USD
const FIRST_COST = 8_100_000;

function reply(req: ReceivedRequest): Reply | undefined {
  if (req.method !== 'POST' || req.url !== '/responses') return undefined;
  const body = req.json as { input?: string; previous_response_id?: string };
  // Each answer reports the context it was billed for: the long first prompt, or the chain so far plus a little.
  const input = body.previous_response_id !== undefined ? FIRST.input + FIRST.output + 20 : FIRST.input;
  const id = `resp_${body.input ?? 'x'}`;
  const usage = { input_tokens: input, input_tokens_details: { cached_tokens: 0 }, output_tokens: FIRST.output, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: input + FIRST.output };
  const text = JSON.stringify({ id, object: 'response', status: 'completed', model: 'gpt-4o-mini-2024-07-18', output: [], usage });
  // A follow-up answers slowly (two pieces 200 ms apart), so two sent together are in flight at once.
  return body.input?.startsWith('slow ') ? { body: [text.slice(0, 10), text.slice(10)], delayMs: 200 } : { body: text };
}

describe('budgets count the conversation a Responses request continues', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ upstream: { reply }, configYaml: (url) => `providers:\n  openai: { base_url: "${url}", api_key: "sk-test-upstream-0123456789abcdef" }\nstore: { flush_interval_ms: 5 }\nbudget_admission_wait_ms: 0\n` });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A key with `headroomNano` left after one long first call (whose cost it pays), and that call's id. */
  async function keyAfterFirstCall(name: string, headroomNano: number, first: Record<string, unknown>) {
    const secret = await h.createKey(name);
    await h.proxy.store.keys.update(name, { budget: { limitNano: FIRST_COST + headroomNano, period: 'month', alertAt: [], soft: false } });
    await h.proxy.keys.reload();
    const keyClient = new OpenAI({ apiKey: secret, baseURL: h.baseUrl(), maxRetries: 0 });
    const res = await keyClient.responses.create({ model: 'gpt-4o-mini', input: name, max_output_tokens: 1000, ...first });
    const spent = () => h.proxy.budgets!.snapshot().find((s) => s.name === name)!.spentNano;
    await expect.poll(spent).toBe(FIRST_COST);
    return { keyClient, id: res.id };
  }

  /** Two follow-ups sent together; the provider takes 200 ms over each, so both are in flight at once. */
  async function twoAtOnce(keyClient: OpenAI, continued: Record<string, unknown>) {
    const results = await Promise.allSettled(
      ['and?', 'so?'].map((input) => keyClient.responses.create({ model: 'gpt-4o-mini', input: `slow ${input}`, max_output_tokens: 100, ...continued })),
    );
    return { admitted: results.filter((r) => r.status === 'fulfilled').length, refused: results.flatMap((r) => (r.status === 'rejected' ? [r.reason as { status?: number; code?: string }] : [])) };
  }

  it('two follow-ups of a few bytes each reserve the 51,000 tokens they continue: the second does not fit beside the first', async () => {
    // $0.001 left: each follow-up's own ~50 bytes and 100 output tokens (~66,000 nano) fit
    // twice; with its 51,000 continued tokens (7,650,000 nano at the input price) only one call may run.
    const { keyClient, id } = await keyAfterFirstCall('chained', 1_000_000, {});
    const { admitted, refused } = await twoAtOnce(keyClient, { previous_response_id: id });
    expect(admitted).toBe(1);
    expect(refused).toMatchObject([{ status: 429, code: 'budget_busy' }]);
  });

  it('two requests in the same conversation each reserve what the conversation holds', async () => {
    const { keyClient } = await keyAfterFirstCall('conversing', 1_000_000, { conversation: 'conv_42' });
    const { admitted, refused } = await twoAtOnce(keyClient, { conversation: 'conv_42' });
    expect(admitted).toBe(1);
    expect(refused).toMatchObject([{ status: 429, code: 'budget_busy' }]);
  });

  it('a continued id this process never saw reserves nothing extra: both fit', async () => {
    const { keyClient } = await keyAfterFirstCall('unknown-chain', 1_000_000, {});
    const { admitted } = await twoAtOnce(keyClient, { previous_response_id: 'resp_from_elsewhere' });
    expect(admitted).toBe(2);
  });
});
