import { describe, expect, it } from 'vitest';
import type { AdminUsage } from '../support/fake-admin-api.js';
import type { ReceivedRequest, Reply } from '../support/fake-upstream.js';
import { databaseBytes, scenarioForSuite, type Batch } from './helpers.js';

/**
 * `tokometer reconcile --provider anthropic` end to end, as for OpenAI, against a fake
 * Anthropic admin API (x-api-key, anthropic-version, RFC 3339 windows, cost amounts as
 * cent strings, no request counts). Prices (USD per 1M) from the catalog: claude-sonnet-4
 * in 3 / 5m write 3.75 / read 0.30 / out 15; claude-3-5-haiku in 0.80 / out 4;
 * claude-haiku-4-5 in 1 / read 0.10 / out 5; claude-opus-4-1 in 15 / out 75.
 */

const ADMIN_KEY = 'sk-ant-admin01-anthropic-0123456789SECRET';

const messages = (id: string, day: string, n: number, model: string, u: { uncached: number; read?: number; write5m?: number; output: number }): Batch => ({
  id, day, n, path: '/v1/messages',
  request: { model, max_tokens: 1024, messages: [{ role: 'user', content: 'hi' }] },
  response: {
    id: `msg_${id}`, type: 'message', role: 'assistant', model, content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', stop_sequence: null,
    usage: {
      input_tokens: u.uncached, cache_read_input_tokens: u.read ?? 0, cache_creation_input_tokens: u.write5m ?? 0,
      cache_creation: { ephemeral_5m_input_tokens: u.write5m ?? 0, ephemeral_1h_input_tokens: 0 }, output_tokens: u.output,
    },
  },
});

const BATCHES: Batch[] = [
  // Matches: 5 × (3,000 uncached + 2,000 written + 5,000 read, 800 out) = 5 × $0.03.
  messages('g', '2026-11-01', 5, 'claude-sonnet-4-20250514', { uncached: 3_000, write5m: 2_000, read: 5_000, output: 800 }),
  // Unmetered traffic: 4 × (10,000 in, 1,000 out) = 4 × $0.012 metered; the provider saw 16 such calls.
  messages('h', '2026-11-02', 4, 'claude-3-5-haiku-20241022', { uncached: 10_000, output: 1_000 }),
  // Token drift: 10 × (20,000 uncached + 20,000 read, 1,000 out) = $0.27 metered; the provider counts 30,000 read.
  messages('i', '2026-11-03', 10, 'claude-haiku-4-5-20251001', { uncached: 20_000, read: 20_000, output: 1_000 }),
  // Price drift: 4 × (10,000 in, 2,000 out) = $1.20 metered; the provider bills output at $90 instead of $75.
  messages('j', '2026-11-04', 4, 'claude-opus-4-1-20250805', { uncached: 10_000, output: 2_000 }),
];

const ADMIN_USAGE: AdminUsage[] = [
  { day: '2026-11-01', model: 'claude-sonnet-4-20250514', requests: 5, uncached: 15_000, write5m: 10_000, cached: 25_000, output: 4_000, cost: { input: 0.045, cache_write_5m: 0.0375, cached_input: 0.0075, output: 0.06 } },
  { day: '2026-11-02', model: 'claude-3-5-haiku-20241022', requests: 16, uncached: 160_000, output: 16_000, cost: { input: 0.128, output: 0.064 } },
  { day: '2026-11-03', model: 'claude-haiku-4-5-20251001', requests: 10, uncached: 100_000, cached: 300_000, output: 10_000, cost: { input: 0.1, cached_input: 0.03, output: 0.05 } },
  { day: '2026-11-04', model: 'claude-opus-4-1-20250805', requests: 4, uncached: 40_000, output: 8_000, cost: { input: 0.6, output: 0.72 } },
];

function upstreamReply(req: ReceivedRequest): Reply | undefined {
  const id = (req.json as { user?: string } | undefined)?.user;
  const batch = BATCHES.find((b) => b.id === id && req.url === b.path);
  return batch ? { body: JSON.stringify(batch.response) } : undefined;
}

describe('tokometer reconcile --provider anthropic', () => {
  const { scenario, run } = scenarioForSuite({
    upstream: { reply: upstreamReply, authHeader: 'x-api-key' },
    batches: BATCHES,
    auth: (secret) => ({ 'x-api-key': secret, 'anthropic-version': '2023-06-01' }),
    admin: {
      family: 'anthropic',
      key: ADMIN_KEY,
      usage: ADMIN_USAGE,
      other: [{ day: '2026-11-02', label: 'Web search requests', usd: 0.1 }],
      faults: { '/v1/organizations/usage_report/messages': { status: 429, retryAfter: '1' }, '/v1/organizations/cost_report': { status: 500 } },
    },
  });

  it('classifies each planted difference with its USD amount, estimating unmetered requests from tokens', async () => {
    const { code, out, err } = await run(['--format', 'json']);
    expect(err).toBe('');
    expect(code).toBe(3);
    const doc = JSON.parse(out);
    expect(doc.rows.map((r: { day: string; model: string; status: string }) => `${r.day} ${r.model} ${r.status}`)).toEqual([
      '2026-11-01 claude-sonnet-4-20250514 match',
      '2026-11-02 claude-3-5-haiku-20241022 unmetered_traffic',
      '2026-11-02 Web search requests outside_meter',
      '2026-11-03 claude-haiku-4-5-20251001 token_drift',
      '2026-11-04 claude-opus-4-1-20250805 price_drift',
    ]);
    const [g, h2, web, i, j] = doc.rows;
    expect(g.meter).toMatchObject({ calls: 5, input_tokens: 50_000, cached_input_tokens: 25_000, cache_write_5m_tokens: 10_000, output_tokens: 4_000 });
    expect(g.provider.requests).toBeNull();
    expect(g.diff.cost_usd).toBeCloseTo(0, 6);

    expect(h2).toMatchObject({ unmetered_requests: 12, requests_estimated: true });
    expect(h2.diff.requests).toBeNull();
    expect(h2.diff.cost_usd).toBeCloseTo(0.144, 2); // 12 × $0.012
    expect(h2.explanation).toContain('about 12 requests the meter never saw');

    expect(web.provider.cost_usd).toBeCloseTo(0.1, 9);

    expect(i.drifted_tokens).toEqual(['cached_input_tokens']);
    expect(i.diff).toMatchObject({ input_tokens: 0, cached_input_tokens: 100_000 });
    // Anthropic reports no request counts, so the explanation cannot claim the requests are the same.
    expect(i.explanation).toMatch(/^Token drift \(Anthropic reports no request counts\): cached input 300,000 billed vs 200,000 metered \(\+100,000\)/);
    expect(i.diff.cost_usd).toBeCloseTo(-0.09, 2); // 100,000 tokens × ($1 − $0.10)/1M

    expect(j.diff.cost_usd).toBeCloseTo(0.12, 2); // 8,000 × ($90 − $75)/1M
    expect(j.rates).toEqual([{ rate: 'output', billed_usd_per_mtok: 90, catalog_usd_per_mtok: 75, itemised: true }]);
    expect(doc.differences).toBe(3);
    expect(doc.total.provider.cost_usd).toBeCloseTo(0.15 + 0.192 + 0.1 + 0.18 + 1.32, 6);
  });

  it('sent the admin headers, paged through 3 pages per report, waited out the 429 and retried the 500', () => {
    const { admin } = scenario();
    expect(admin.requests.every((r) => r.headers['x-api-key'] === ADMIN_KEY && r.headers['anthropic-version'] === '2023-06-01')).toBe(true);
    const usage = admin.hits('/v1/organizations/usage_report/messages');
    expect(usage.map((r) => r.status)).toEqual([429, 200, 200, 200]);
    expect(usage[1]!.at - usage[0]!.at).toBeGreaterThanOrEqual(990);
    expect(usage.slice(1).map((r) => r.query.get('page'))).toEqual([null, 'cursor_1', 'cursor_2']);
    expect(usage[1]!.query.get('starting_at')).toBe('2026-11-01T00:00:00.000Z');
    expect(usage[1]!.query.get('ending_at')).toBe('2026-11-08T00:00:00.000Z');
    expect(admin.hits('/v1/organizations/cost_report').map((r) => r.status)).toEqual([500, 200, 200, 200]);
    expect(admin.problems).toEqual([]);
  });

  it('keeps the admin key out of output and the database; a wrong or missing key is exit 2 naming the variable', async () => {
    const { h } = scenario();
    const wrong = await run([], { ANTHROPIC_ADMIN_KEY: `${ADMIN_KEY}x` });
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('Anthropic rejected the admin key from ANTHROPIC_ADMIN_KEY');
    expect(wrong.err).not.toContain(ADMIN_KEY);
    const missing = await run([], {});
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('set ANTHROPIC_ADMIN_KEY');
    const table = await run([]);
    expect(table.out + table.err).not.toContain(ADMIN_KEY);
    expect(databaseBytes(h.dbPath)).not.toContain(ADMIN_KEY);
  });
});
