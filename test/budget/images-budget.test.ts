import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/proxy-harness.js';
import type { ReceivedRequest, Reply } from '../support/fake-upstream.js';
import { proxySuite } from './proxy-suite.js';
import { addKey, keyBudget, type BudgetProxy } from './support.js';

/**
 * gpt-image-1 through a real proxy and ledger, against a key budget (no admission wait). Prices (pinned catalog):
 * input $5 per 1M tokens (5,000 nano-USD a token), output $40 per 1M (40,000 nano-USD a
 * token). One 1024x1024 image is 4,160 output tokens at high quality, 1,056 at medium
 * (OpenAI's image generation guide, "Cost and latency").
 */

/** The usage a 1024x1024 image of the request's quality is billed: 20 prompt tokens, the table's output tokens. */
const OUTPUT_TOKENS: Readonly<Record<string, number>> = { low: 272, medium: 1056, high: 4160 };

/** Lets the first medium-quality answer through once the test says so (a call in flight). */
let releaseMedium: () => void = () => {};

function imagesReply(req: ReceivedRequest): Reply | undefined {
  if (req.url !== '/images/generations') return undefined;
  const quality = String((req.json as { quality?: string }).quality);
  const output = OUTPUT_TOKENS[quality] ?? 0;
  const body = JSON.stringify({ created: 1, data: [{ b64_json: 'iVBORw0KGgo=' }], usage: { input_tokens: 20, input_tokens_details: { image_tokens: 0, text_tokens: 20 }, output_tokens: output, total_tokens: 20 + output } });
  if (quality !== 'medium') return { body };
  const hold = new Promise<void>((resolve) => (releaseMedium = resolve));
  return { body: [body.slice(0, 10), body.slice(10)], hold };
}

async function generate(baseUrl: string, secret: string, quality: string): Promise<number> {
  const body = JSON.stringify({ model: 'gpt-image-1', prompt: 'a lighthouse', size: '1024x1024', quality });
  const res = await fetch(`${baseUrl}/images/generations`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body });
  await res.text();
  return res.status;
}

describe('gpt-image-1 image generations against a key budget of $0.20', () => {
  const suite = proxySuite({ reply: imagesReply });
  let p: BudgetProxy;
  beforeAll(async () => {
    p = await suite.start({ yaml: 'budget_admission_wait_ms: 0\n' });
  });

  // A medium image in flight holds 1,056 × 40,000 = 42,240,000 nano-USD (plus its prompt);
  // a high-quality one holds 4,160 × 40,000 = 166,400,000: together more than the key's
  // 200,000,000, so the second is refused (429) before it is forwarded. Before: both were
  // `other` calls held at the 1,024-token default (40,960,000 each), so the high one went
  // through and billed $0.17 that no budget saw.
  it('refuses a high-quality 1024x1024 image (429) beside a medium one in flight, unforwarded; the medium one costs its usage', async () => {
    const secret = await addKey(p.proxy, 'painter', { budget: keyBudget(0.2) });
    const forwarded = () => suite.fake.requests.filter((r) => r.url === '/images/generations').length;
    const medium = generate(p.baseUrl, secret, 'medium');
    await waitFor(() => forwarded() === 1, 5000, 'the medium image in flight');
    expect(await generate(p.baseUrl, secret, 'high')).toBe(429);
    expect(forwarded()).toBe(1);
    releaseMedium();
    expect(await medium).toBe(200);

    // Medium: 20 × 5,000 + 1,056 × 40,000 = 100,000 + 42,240,000 = 42,340,000 nano-USD.
    type Row = { endpoint: string; cost_nano: number | null; input_tokens: number; output_tokens: number; usage_source: string };
    let row: Row | undefined;
    await waitFor(() => (row = p.driver.prepare("SELECT * FROM calls WHERE key_name = 'painter' AND status = 200").get<Row>()) !== undefined, 5000, 'the call row');
    expect(row).toMatchObject({ endpoint: 'images.generations', usage_source: 'reported', input_tokens: 20, output_tokens: 1056, cost_nano: 42_340_000 });
  });
});
