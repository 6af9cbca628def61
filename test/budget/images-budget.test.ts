import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/proxy-harness.js';
import type { ReceivedRequest, Reply } from '../support/fake-upstream.js';
import { proxySuite } from './proxy-suite.js';
import { addKey, keyBudget, type BudgetProxy } from './support.js';

/**
 * gpt-image-1 through a real proxy and ledger, against a key budget. Prices (pinned catalog):
 * input $5 per 1M tokens (5,000 nano-USD a token), output $40 per 1M (40,000 nano-USD a
 * token). One 1024x1024 image is 4,160 output tokens at high quality, 1,056 at medium
 * (OpenAI's image generation guide, "Cost and latency").
 */

/** The usage a 1024x1024 image of the request's quality is billed: 20 prompt tokens, the table's output tokens. */
const OUTPUT_TOKENS: Readonly<Record<string, number>> = { low: 272, medium: 1056, high: 4160 };

function imagesReply(req: ReceivedRequest): Reply | undefined {
  if (req.url !== '/images/generations') return undefined;
  const quality = String((req.json as { quality?: string }).quality);
  const output = OUTPUT_TOKENS[quality] ?? 0;
  return { body: JSON.stringify({ created: 1, data: [{ b64_json: 'iVBORw0KGgo=' }], usage: { input_tokens: 20, input_tokens_details: { image_tokens: 0, text_tokens: 20 }, output_tokens: output, total_tokens: 20 + output } }) };
}

async function generate(baseUrl: string, secret: string, quality: string): Promise<number> {
  const body = JSON.stringify({ model: 'gpt-image-1', prompt: 'a lighthouse', size: '1024x1024', quality });
  const res = await fetch(`${baseUrl}/images/generations`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body });
  await res.text();
  return res.status;
}

describe('gpt-image-1 image generations against a key budget of $0.15', () => {
  const suite = proxySuite({ reply: imagesReply });
  let p: BudgetProxy;
  beforeAll(async () => {
    p = await suite.start();
  });

  // A high-quality image holds 4,160 × 40,000 = 166,400,000 nano-USD (plus its prompt): more
  // than the 150,000,000 the key has, so it is refused before it is forwarded. Before: the
  // call was `other`, held nothing and went through, billed $0.17 that no budget saw.
  it('refuses a high-quality 1024x1024 image (429) before forwarding it; a medium one goes through and costs its usage', async () => {
    const secret = await addKey(p.proxy, 'painter', { budget: keyBudget(0.15) });
    const forwardedBefore = suite.fake.requests.filter((r) => r.url === '/images/generations').length;
    expect(await generate(p.baseUrl, secret, 'high')).toBe(429);
    expect(suite.fake.requests.filter((r) => r.url === '/images/generations')).toHaveLength(forwardedBefore);

    // Medium: 20 × 5,000 + 1,056 × 40,000 = 100,000 + 42,240,000 = 42,340,000 nano-USD.
    expect(await generate(p.baseUrl, secret, 'medium')).toBe(200);
    type Row = { endpoint: string; cost_nano: number | null; input_tokens: number; output_tokens: number; usage_source: string };
    let row: Row | undefined;
    await waitFor(() => (row = p.driver.prepare("SELECT * FROM calls WHERE key_name = 'painter' AND status = 200").get<Row>()) !== undefined, 5000, 'the call row');
    expect(row).toMatchObject({ endpoint: 'images.generations', usage_source: 'reported', input_tokens: 20, output_tokens: 1056, cost_nano: 42_340_000 });
  });
});
