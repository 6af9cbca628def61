import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningProxy } from '../../src/proxy/start.js';
import type { SqlDriver } from '../../src/store/types.js';
import { FakeUpstream, type ReceivedRequest, type Reply } from '../support/fake-upstream.js';
import { UPSTREAM_KEY, waitFor } from '../support/proxy-harness.js';
import { addKey, keyBudget, startBudgetProxy, tempDb } from './support.js';

/**
 * Mistral OCR (POST /v1/ocr) against a key budget. mistral-ocr-2512 (genai-prices 0.1.8) is
 * billed $2 per 1,000 pages (2,000,000 nano-USD a page) and $3 per 1,000 annotated pages
 * (3,000,000), an annotated page billed at that price instead of the page price (genai-prices
 * prices annotated pages as a subset of the pages). Before the answer, the proxy
 * holds the most pages the request can be billed for: the `pages` it lists, else Mistral's
 * documented maximum of 1,000 pages per document. (A call with nothing else in flight is
 * admitted whatever its estimate while the cap is not spent: budget/policy.ts rule 2; the
 * hold refuses calls that do not fit beside it.)
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

/** While set, each answer sends its first half and then waits for this (a provider still reading the document). */
let hold: Promise<unknown> | undefined;

function ocrReply(req: ReceivedRequest): Reply | undefined {
  if (req.url !== '/v1/ocr') return undefined;
  const body = req.json as { model: string; pages?: unknown; document: { document_url: string } };
  const n = picked(body.pages);
  // An answer without usage_info (a provider that leaves it out): the proxy estimates the pages.
  if (body.document.document_url.endsWith('no-usage.pdf')) return { body: JSON.stringify({ pages: [], model: body.model }) };
  // Two pages answered, without usage_info: the answer's own pages are the estimate.
  if (body.document.document_url.endsWith('answered-two-pages.pdf')) {
    return { body: JSON.stringify({ pages: [0, 1].map((index) => ({ index, markdown: 'text', images: [], dimensions: null })), model: body.model }) };
  }
  const pages = Array.from({ length: n }, (_, index) => ({ index, markdown: 'text', images: [], dimensions: null }));
  const json = JSON.stringify({ pages, model: body.model, document_annotation: null, usage_info: { pages_processed: n, doc_size_bytes: 100_000 } });
  return hold === undefined ? { body: json } : { body: [json.slice(0, 10), json.slice(10)], hold };
}

async function ocr(baseUrl: string, secret: string, extra: Record<string, unknown>, url = 'https://example.com/report.pdf'): Promise<number> {
  const body = { model: 'mistral-ocr-2512', document: { type: 'document_url', document_url: url }, ...extra };
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
    ({ proxy, driver } = await startBudgetProxy({ dbPath: folder.dbPath, fake, provider: 'mistral', yaml: 'budget_admission_wait_ms: 0\n' }));
  });
  afterAll(async () => {
    await proxy?.stop(1000);
    await fake?.stop();
    folder.cleanup();
  });

  // A key with $0.05 (50,000,000 nano-USD) to spend; a call that does not fit beside the calls in
  // flight is refused at once (budget_admission_wait_ms: 0). Before: every call was `other`, $0,
  // held nothing, and all were forwarded.
  it('holds the page bound before forwarding and settles what the pages cost', async () => {
    const secret = await addKey(proxy, 'reader', { budget: keyBudget(0.05) });
    const baseUrl = `${proxy.url}/proxy/mistral`;
    const budget = () => proxy.budgets!.snapshot().find((s) => s.name === 'reader');
    type Row = { endpoint: string; cost_nano: number | null; document_pages: number | null; annotated_pages: number | null; usage_source: string };
    const rows = () => driver.prepare("SELECT * FROM calls WHERE key_name = 'reader' AND status = 200 ORDER BY id").all<Row>();

    // No `pages`: held at 1,000 pages × 2,000,000 = 2,000,000,000 while the provider reads.
    let release!: () => void;
    hold = new Promise<void>((r) => (release = r));
    const first = ocr(baseUrl, secret, {});
    await waitFor(() => fake.requests.length === 1, 5000, 'the first request upstream');
    expect(budget()).toMatchObject({ reservedNano: 2_000_000_000, spentNano: 0 });
    // 12 listed pages (24,000,000) do not fit beside it: refused, never forwarded.
    expect(await ocr(baseUrl, secret, { pages: TWELVE })).toBe(429);
    expect(fake.requests).toHaveLength(1);
    release();
    expect(await first).toBe(200);
    // The answer reports 12 pages: 24,000,000 recorded and settled.
    await waitFor(() => rows().length === 1, 5000, 'the call row');
    expect(rows()[0]).toMatchObject({ endpoint: 'ocr', usage_source: 'reported', document_pages: 12, annotated_pages: null, cost_nano: 24_000_000 });
    await waitFor(() => budget()?.spentNano === 24_000_000, 5000, 'the settled spend');

    // Pages as a string of ranges, "0-11", annotated: held at 12 × max(2,000,000, 3,000,000) = 36,000,000
    // (was 12 × (2,000,000 + 3,000,000) = 60,000,000, the annotated price on top of the page price).
    hold = new Promise<void>((r) => (release = r));
    const annotated = ocr(baseUrl, secret, { pages: '0-11', document_annotation_format: ANNOTATION });
    await waitFor(() => fake.requests.length === 2, 5000, 'the annotated request upstream');
    expect(budget()).toMatchObject({ reservedNano: 36_000_000, spentNano: 24_000_000 });
    release();
    hold = undefined;
    expect(await annotated).toBe(200);
    await waitFor(() => rows().length === 2, 5000, 'the second row');
    expect(rows()[1]).toMatchObject({ endpoint: 'ocr', document_pages: 12, annotated_pages: 12, cost_nano: 36_000_000 });
    // Settled spend = the recorded costs: 24,000,000 + 36,000,000 = 60,000,000, over the cap.
    await waitFor(() => budget()?.spentNano === 60_000_000, 5000, 'the settled spend');
    expect(budget()?.reservedNano).toBe(0);

    // The cap is spent: the next request is refused before forwarding.
    expect(await ocr(baseUrl, secret, { pages: [0] })).toBe(429);
    expect(fake.requests).toHaveLength(2);
  });

  // No page count in the answer: recorded as estimated at the request's bound, 3 pages × 2,000,000.
  it('estimates an answer without usage_info at the pages the request lists: 3 pages = 6,000,000 nano-USD', async () => {
    const secret = await addKey(proxy, 'estimated');
    expect(await ocr(`${proxy.url}/proxy/mistral`, secret, { pages: [0, 1, 2] }, 'https://example.com/no-usage.pdf')).toBe(200);
    type Row = { endpoint: string; cost_nano: number | null; document_pages: number | null; usage_source: string; error: string | null };
    let row: Row | undefined;
    await waitFor(() => (row = driver.prepare("SELECT * FROM calls WHERE key_name = 'estimated'").get<Row>()) !== undefined, 5000, 'the call row');
    expect(row).toMatchObject({ endpoint: 'ocr', usage_source: 'estimated', document_pages: 3, cost_nano: 6_000_000, error: 'usage estimated from the request: 3 pages, the most it can be billed for' });
  });

  // The answer lists the pages it processed: 2 × 2,000,000, not the 1,000-page bound of a request listing none ($2).
  it('estimates an answer without usage_info from the pages it returned: 2 pages = 4,000,000 nano-USD', async () => {
    const secret = await addKey(proxy, 'answered-pages');
    expect(await ocr(`${proxy.url}/proxy/mistral`, secret, {}, 'https://example.com/answered-two-pages.pdf')).toBe(200);
    type Row = { endpoint: string; cost_nano: number | null; document_pages: number | null; usage_source: string; error: string | null };
    let row: Row | undefined;
    await waitFor(() => (row = driver.prepare("SELECT * FROM calls WHERE key_name = 'answered-pages'").get<Row>()) !== undefined, 5000, 'the call row');
    expect(row).toMatchObject({ endpoint: 'ocr', usage_source: 'estimated', document_pages: 2, cost_nano: 4_000_000 });
  });
});
