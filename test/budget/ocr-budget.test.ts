import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { startProxy, type RunningProxy } from '../../src/proxy/start.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import type { SqlDriver } from '../../src/store/types.js';
import { FakeUpstream, type ReceivedRequest, type Reply } from '../support/fake-upstream.js';
import { testProxyOptions, UPSTREAM_KEY, waitFor } from '../support/proxy-harness.js';
import { addKey, keyBudget, tempDb } from './support.js';

/**
 * Mistral OCR (POST /v1/ocr) against a key budget. mistral-ocr-2512 (genai-prices 0.1.8) is
 * billed $2 per 1,000 pages (2,000,000 nano-USD a page) and $3 per 1,000 annotated pages
 * (3,000,000), which tokometer bills on top of the page price. Before the answer, the proxy
 * holds the most pages the request can be billed for: the `pages` it lists, else Mistral's
 * documented maximum of 1,000 pages per document.
 */

/** Pages a request picks: a list of indexes, or a string of indexes and ranges ("0-11", "0,2-4"). */
function picked(pages: unknown): number {
  if (Array.isArray(pages)) return pages.length;
  if (typeof pages !== 'string') return 12;
  return pages.split(',').reduce((n, part) => {
    const [a, b] = part.split('-').map(Number);
    return n + (b === undefined ? 1 : b! - a! + 1);
  }, 0);
}

function ocrReply(req: ReceivedRequest): Reply | undefined {
  if (req.url !== '/v1/ocr') return undefined;
  const body = req.json as { model: string; pages?: unknown };
  const n = picked(body.pages);
  const pages = Array.from({ length: n }, (_, index) => ({ index, markdown: 'text', images: [], dimensions: null }));
  return { body: JSON.stringify({ pages, model: body.model, document_annotation: null, usage_info: { pages_processed: n, doc_size_bytes: 100_000 } }) };
}

async function ocr(baseUrl: string, secret: string, extra: Record<string, unknown>): Promise<number> {
  const body = { model: 'mistral-ocr-2512', document: { type: 'document_url', document_url: 'https://example.com/report.pdf' }, ...extra };
  const res = await fetch(`${baseUrl}/v1/ocr`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.text();
  return res.status;
}

const TWELVE = Array.from({ length: 12 }, (_, i) => i);
const ANNOTATION = { type: 'json_schema', json_schema: { name: 'report', schema_definition: { type: 'object' } } };

describe('Mistral OCR against a key budget', () => {
  let fake: FakeUpstream;
  let proxy: RunningProxy;
  let driver: SqlDriver;
  const folder = tempDb();
  beforeAll(async () => {
    fake = await new FakeUpstream({ expectedKey: UPSTREAM_KEY, reply: ocrReply }).start();
    const config = parseConfigText(`providers:\n  mistral: { base_url: "${fake.url}", api_key: "${UPSTREAM_KEY}" }\nstore: { flush_interval_ms: 5 }\n`, { file: 'ocr-budget.yaml', env: {} });
    driver = openDriver(folder.dbPath);
    proxy = await startProxy(testProxyOptions(config, driver));
  });
  afterAll(async () => {
    await proxy?.stop(1000);
    await fake?.stop();
    folder.cleanup();
  });

  // A key with $0.05 (50,000,000 nano-USD) to spend. Before: every call was `other`, $0, 200.
  it('holds the page bound before forwarding and settles what the pages cost', async () => {
    const secret = await addKey(proxy, 'reader', { budget: keyBudget(0.05) });
    const baseUrl = `${proxy.url}/proxy/mistral`;
    const spent = () => proxy.budgets!.snapshot().find((s) => s.name === 'reader')?.spentNano;

    // No `pages`: up to 1,000 pages × 2,000,000 = 2,000,000,000 > 50,000,000: refused, never forwarded.
    expect(await ocr(baseUrl, secret, {})).toBe(429);
    expect(fake.requests).toHaveLength(0);

    // 12 listed pages: 24,000,000 held, forwarded; the answer reports 12 pages = 24,000,000 settled.
    expect(await ocr(baseUrl, secret, { pages: TWELVE })).toBe(200);
    type Row = { endpoint: string; cost_nano: number | null; document_pages: number | null; usage_source: string };
    let rows: Row[] = [];
    await waitFor(() => (rows = driver.prepare("SELECT * FROM calls WHERE key_name = 'reader' AND status = 200 ORDER BY id").all<Row>()).length === 1, 5000, 'the call row');
    expect(rows[0]).toMatchObject({ endpoint: 'ocr', usage_source: 'reported', document_pages: 12, cost_nano: 24_000_000 });
    await waitFor(() => spent() === 24_000_000, 5000, 'the settled spend');

    // The same 12 pages annotated: 12 × (2,000,000 + 3,000,000) = 60,000,000 > 26,000,000 left: refused.
    expect(await ocr(baseUrl, secret, { pages: TWELVE, document_annotation_format: ANNOTATION })).toBe(429);
    expect(fake.requests).toHaveLength(1);

    // Pages as a string of ranges, "0-2": 3 pages, 6,000,000 held and settled (30,000,000 in all).
    expect(await ocr(baseUrl, secret, { pages: '0-2' })).toBe(200);
    await waitFor(() => spent() === 30_000_000, 5000, 'the settled spend');
    await waitFor(() => (rows = driver.prepare("SELECT * FROM calls WHERE key_name = 'reader' AND status = 200 ORDER BY id").all<Row>()).length === 2, 5000, 'the second row');
    expect(rows[1]).toMatchObject({ endpoint: 'ocr', document_pages: 3, cost_nano: 6_000_000 });
  });
});
