import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, databaseBytes, scenarioForSuite } from './helpers.js';
import { ADMIN_KEY, ADMIN_USAGE, BATCHES, OTHER_COSTS, upstreamReply } from './openai-scenario.js';

/**
 * `tokometer reconcile --provider openai` end to end: calls go through a real proxy into
 * its database; a fake OpenAI admin API reports the same usage and its cost, plus planted
 * differences (openai-scenario.ts), across 3 pages per report, with a 429 (Retry-After: 1)
 * on the first usage request and a 500 on the first cost request.
 */

describe('tokometer reconcile --provider openai', () => {
  const { scenario, run } = scenarioForSuite({
    upstream: { reply: upstreamReply },
    batches: BATCHES,
    auth: (secret) => ({ authorization: `Bearer ${secret}` }),
    admin: {
      family: 'openai',
      key: ADMIN_KEY,
      usage: ADMIN_USAGE,
      other: OTHER_COSTS,
      faults: { '/v1/organization/usage/completions': { status: 429, retryAfter: '1' }, '/v1/organization/costs': { status: 500 } },
    },
  });

  it('classifies each planted difference with its USD amount, matches the rest, and exits 3', async () => {
    const { code, out, err } = await run(['--format', 'json']);
    expect(err).toBe('');
    expect(code).toBe(3);
    const doc = JSON.parse(out);
    expect(doc.since).toBe('2026-11-01T00:00:00.000Z');
    expect(doc.until).toBe('2026-11-08T00:00:00.000Z');
    const rows = Object.fromEntries(doc.rows.map((r: { day: string; model: string }) => [`${r.day} ${r.model}`, r]));
    expect(Object.keys(rows)).toEqual([
      '2026-11-01 gpt-4o-2024-08-06',
      '2026-11-01 text-embedding-3-small',
      '2026-11-02 gpt-4.1-2025-04-14',
      '2026-11-02 web search tool calls',
      '2026-11-03 gpt-4o-2024-08-06',
      '2026-11-04 gpt-4o-mini-2024-07-18',
    ]);
    expect(doc.rows.map((r: { status: string }) => r.status)).toEqual(['match', 'match', 'unmetered_traffic', 'outside_meter', 'token_drift', 'price_drift']);

    const a = rows['2026-11-01 gpt-4o-2024-08-06'];
    expect(a.meter).toMatchObject({ calls: 5, input_tokens: 50_000, cached_input_tokens: 10_000, output_tokens: 5_000 });
    expect(a.meter.cost_usd).toBeCloseTo(0.1625, 9);
    expect(a.diff.cost_usd).toBeCloseTo(0, 9);

    const b = rows['2026-11-02 gpt-4.1-2025-04-14'];
    expect(b).toMatchObject({ unmetered_requests: 12, requests_estimated: false });
    expect(b.diff.requests).toBe(12);
    expect(b.diff.cost_usd).toBeCloseTo(0.672, 2); // 12 × $0.056
    expect(b.explanation).toContain('12 requests the meter never saw');

    const c = rows['2026-11-03 gpt-4o-2024-08-06'];
    expect(c.drifted_tokens).toEqual(['cached_input_tokens']);
    expect(c.diff.requests).toBe(0);
    expect(c.diff.cached_input_tokens).toBe(60_000);
    expect(c.diff.input_tokens).toBe(0);
    expect(c.diff.cost_usd).toBeCloseTo(-0.075, 2); // 60,000 tokens × ($2.50 − $1.25)/1M

    const d = rows['2026-11-04 gpt-4o-mini-2024-07-18'];
    expect(d.diff.cost_usd).toBeCloseTo(0.048, 2); // 160,000 × ($0.90 − $0.60)/1M
    expect(d.rates).toEqual([{ rate: 'output', billed_usd_per_mtok: 0.9, catalog_usd_per_mtok: 0.6, itemised: true }]);
    expect(d.explanation).toContain('output billed at $0.90/1M');

    expect(rows['2026-11-02 web search tool calls'].provider.cost_usd).toBeCloseTo(0.25, 9);
    expect(doc.counts).toEqual({ match: 2, unmetered_traffic: 1, token_drift: 1, price_drift: 1, missing_at_provider: 0, outside_meter: 1 });
    expect(doc.differences).toBe(3);
    expect(doc.total.meter.cost_usd).toBeCloseTo(1.5278, 6);
    expect(doc.total.provider.cost_usd).toBeCloseTo(2.4228, 6);
    expect(doc.explained_share).toBeCloseTo(1.4528 / 2.4228, 5);
  });

  it('records the run, so audit points to the unmetered traffic', async () => {
    const { h, dir } = scenario();
    const { code, out } = await cli(['audit', '--db', h.dbPath, '--since', '2026-11-01', '--until', '2026-11-07', '--format', 'json'], { cwd: dir });
    expect(code).toBe(0);
    const notice = JSON.parse(out).findings.find((f: { detector: string }) => f.detector === 'unmetered-traffic');
    expect(notice.scope).toEqual({ provider: 'openai' });
    expect(notice.title).toBe('openai: 12 requests ($0.672) reached the provider without going through tokometer');
  });

  it('paged through 3 pages per report, waited out the 429 and retried the 500', () => {
    const { admin } = scenario();
    const completions = admin.hits('/v1/organization/usage/completions');
    expect(completions.map((r) => r.status)).toContain(429);
    const first429 = completions.find((r) => r.status === 429)!;
    const after = completions[completions.indexOf(first429) + 1]!;
    expect(after.at - first429.at).toBeGreaterThanOrEqual(990);
    expect(completions.filter((r) => r.status === 200).slice(0, 3).map((r) => r.query.get('page'))).toEqual([null, 'cursor_1', 'cursor_2']);
    expect(admin.hits('/v1/organization/costs').slice(0, 4).map((r) => r.status)).toEqual([500, 200, 200, 200]);
    expect(admin.hits('/v1/organization/usage/embeddings').length).toBeGreaterThanOrEqual(3);
    expect(admin.requests.every((r) => r.headers.authorization === `Bearer ${ADMIN_KEY}`)).toBe(true);
    expect(admin.problems).toEqual([]);
  });

  it('prints a table with the differences explained and --by model sums the days', async () => {
    const table = await run([]);
    expect(table.code).toBe(3);
    expect(table.out).toContain('unmetered traffic · 2026-11-02 gpt-4.1-2025-04-14: Unmetered traffic: OpenAI counted 12 requests');
    expect(table.out).toMatch(/3 rows beyond the tolerance: 1 unmetered traffic, 1 token drift, 1 price drift\. 1 row outside the meter\./);
    const byModel = JSON.parse((await run(['--by', 'model', '--format', 'json'])).out);
    const gpt4o = byModel.rows.find((r: { model: string }) => r.model === 'gpt-4o-2024-08-06');
    expect(gpt4o.day).toBeUndefined();
    expect(gpt4o.meter.calls).toBe(15);
    expect(gpt4o.status).toBe('token_drift');
    const csv = (await run(['--format', 'csv'])).out.split('\r\n');
    expect(csv[0]).toMatch(/^day,model,status,meter_calls,/);
    expect(csv.at(-2)).toMatch(/^\(total\),/);
  });

  it('exits 0 when every row is within a wider tolerance', async () => {
    const { code, out } = await run(['--tolerance', '100%,1', '--format', 'json']);
    expect(code).toBe(0);
    expect(JSON.parse(out).differences).toBe(0);
  });

  it('never puts the admin key in output, errors or the database', async () => {
    const { h } = scenario();
    const runs = [await run([]), await run(['--format', 'json']), await run([], { OPENAI_ADMIN_KEY: `${ADMIN_KEY}-wrong` })];
    for (const r of runs) expect(r.out + r.err).not.toContain(ADMIN_KEY);
    expect(databaseBytes(h.dbPath)).not.toContain(ADMIN_KEY);
    expect(databaseBytes(h.dbPath)).not.toContain('sk-admin');
  });

  it('a wrong or missing admin key is exit 2 naming the variable', async () => {
    const { admin, dir } = scenario();
    const wrong = await run([], { OPENAI_ADMIN_KEY: 'sk-admin-wrong' });
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/OpenAI rejected the admin key from OPENAI_ADMIN_KEY \(GET \/v1\/organization\/usage\/completions\?.* answered 401/);
    expect(wrong.err).not.toContain('sk-admin-wrong');
    const missing = await run([], {});
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no admin key for openai: set OPENAI_ADMIN_KEY (or providers.openai.admin_key in the config)');
    const viaConfig = path.join(dir, 'admin.yaml');
    writeFileSync(viaConfig, `providers:\n  openai: { base_url: "${admin.url}/v1", admin_key: "\${MY_ADMIN}" }\n`);
    const configured = await run(['--config', viaConfig, '--format', 'json'], { MY_ADMIN: 'not-the-key' });
    expect(configured.code).toBe(2);
    expect(configured.err).toContain('rejected the admin key from providers.openai.admin_key');
    const unset = await run(['--config', viaConfig], {});
    expect(unset.code).toBe(2);
    expect(unset.err).toContain('environment variable MY_ADMIN is not set');
  });
});
