import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney } from '../../src/report/format/text.js';
import { monthsInRange } from '../../src/report/unit-economics.js';
import { FakeUpstream, type ReceivedRequest, type Reply } from '../support/fake-upstream.js';
import { runCli, startServe, stopProcess, type Build } from '../support/spawn-cli.js';

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');
const UPSTREAM_KEY = 'sk-built-upstream-key-0000000000';
/** gpt-4o-mini with the chat.json usage (see built-cli.slow.test.ts). */
const CALL_NANO = 116_100;
const CONTRACT_USD = 1683;

const reply = (req: ReceivedRequest): Reply | undefined => (req.url === '/chat/completions' ? { body: CHAT } : undefined);
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * What a new user saw in `report` (issue #18, points 2, 4, 9 and two of 10), on the built
 * artefacts with calls recorded by the real proxy: refused calls counted as calls, a
 * mistyped key answered silently, revenue prorated without saying so, float noise in
 * CSV, and an --until date echoed as the next midnight.
 */
describe.each<Build>(['binary', 'node'])('report on the built tokometer (%s)', (build) => {
  let dir: string;
  let fake: FakeUpstream;
  const env = { UPSTREAM_KEY };
  const report = (...args: string[]) => runCli(build, ['report', ...args], { cwd: dir, env });
  // The calls happen now: a two-day window around them, dates inclusive.
  const since = day(Date.now() - 86_400_000);
  const until = day(Date.now());

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), `tokometer-report-${build}-`));
    fake = await new FakeUpstream({ expectedKey: UPSTREAM_KEY, reply }).start();
    writeFileSync(
      path.join(dir, 'tokometer.yaml'),
      `providers:\n  openai: { base_url: "${fake.url}", api_key: "\${UPSTREAM_KEY}" }\nstore: { flush_interval_ms: 20 }\neconomics: { price_per_tenant: { acme: ${CONTRACT_USD} } }\n`,
    );
    const create = async (...args: string[]) => /mk_[0-9A-Za-z]{32}/.exec((await runCli(build, ['keys', 'create', ...args], { cwd: dir, env })).stdout)![0];
    const app = await create('app', '--tag', 'tenant_id=acme');
    const capped = await create('capped', '--budget', '0');

    const serve = await startServe(build, ['--port', '0'], { cwd: dir, env });
    const chat = (secret: string, tier: string) =>
      new OpenAI({ apiKey: secret, baseURL: `${serve.url}/proxy/openai`, maxRetries: 0 }).chat.completions.create(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
        { headers: { 'X-Metering-Tags': JSON.stringify({ feature: 'chat', user_tier: tier }) } },
      );
    for (const tier of ['free', 'pro', 'enterprise']) await chat(app, tier);
    for (let i = 0; i < 2; i++) await expect(chat(capped, 'free')).rejects.toMatchObject({ status: 429 });
    expect(await stopProcess(serve.child)).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts only calls that reached the provider and footnotes the refused ones, per outcome (#18.2)', async () => {
    const json = await report('--by', 'key', '--format', 'json');
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { rows: Array<{ group: { key: string }; calls: number; avg_cost_usd: number }>; total: { calls: number; avg_cost_usd: number }; excluded_calls: unknown };
    expect(doc.total.calls).toBe(3);
    expect(doc.total.avg_cost_usd).toBe(CALL_NANO / 1e9);
    expect(doc.rows.map((r) => r.group.key)).toEqual(['app']);
    expect(doc.excluded_calls).toEqual([{ outcome: 'refused', calls: 2 }]);

    const table = await report('--by', 'key');
    expect(table.stdout).toContain('Not counted: 2 calls the provider did not serve (2 refused); see them with --where outcome=refused.');
    const csv = await report('--by', 'key', '--format', 'csv');
    expect(csv.stdout).not.toContain('refused');
    expect(csv.stderr).toContain('note: Not counted: 2 calls');

    const refused = JSON.parse((await report('--by', 'key', '--where', 'outcome=refused', '--format', 'json')).stdout);
    expect(refused.rows).toMatchObject([{ group: { key: 'capped' }, calls: 2, cost_usd: 0 }]);
    expect(refused.excluded_calls).toBeUndefined();
    const byStatus = JSON.parse((await report('--by', 'status', '--where', 'outcome!=ok', '--format', 'json')).stdout);
    expect(byStatus.rows.map((r: { group: { status: string }; calls: number }) => [r.group.status, r.calls])).toEqual([['429', 2]]);
  });

  it('names a --by key no call has, lists the keys seen closest first, and still prints the report (#18.4)', async () => {
    const res = await report('--by', 'featrue');
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('note: no call in this period has the tag key "featrue" (--by); keys seen: feature, tenant_id, user_tier.\n');
    expect(res.stdout).toContain('Spend by featrue');
    expect(res.stdout).toMatch(/\(none\)\s+\$/);
  });

  it('states the exact factor that prorates monthly prices, and a tenant margin adds up (#18.9)', async () => {
    // The window ends tomorrow, after now: it is read as now (so far), so the factor lies
    // between the months from --since to just before and just after the command ran.
    const before = Date.now();
    const res = await report('--unit-economics', '--since', since, '--until', until);
    const after = Date.now();
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('(so far)');
    const sinceMs = Date.parse(`${since}T00:00:00Z`);
    const factor = Number(/monthly prices × ([0-9.]+) \(/.exec(res.stdout)?.[1]);
    expect(factor).toBeGreaterThanOrEqual(monthsInRange({ since: sinceMs, until: before }, 'UTC') - 5e-7);
    expect(factor).toBeLessThanOrEqual(monthsInRange({ since: sinceMs, until: after }, 'UTC') + 5e-7);
    const row = res.stdout.split('\n').find((l) => l.startsWith('acme'))!;
    const [contract, revenue] = [...row.matchAll(/\$([0-9,]+\.[0-9]{2})\b/g)].map((m) => Number(m[1]!.replace(/,/g, '')));
    expect(contract).toBe(CONTRACT_USD);
    expect(Math.abs(revenue! - CONTRACT_USD * factor)).toBeLessThanOrEqual(0.01);
    // Revenue right after the contract; the column is as wide as its widest cell, so the gap
    // between them depends on how much of the day has passed ($55.11 just after midnight, $108.xx late in the day).
    const [contractText, revenueText] = [formatMoney(CONTRACT_USD * 1e9), formatMoney(revenue! * 1e9)];
    expect(row.indexOf(revenueText)).toBeGreaterThan(row.indexOf(contractText));
    expect(row.slice(row.indexOf(contractText) + contractText.length, row.indexOf(revenueText)).trim()).toBe('');
    expect(row).toContain(formatMoney(revenue! * 1e9 - 3 * CALL_NANO));
  });

  it('rounds CSV numbers (shares to 4 decimals) and echoes an --until date as typed (#18.10)', async () => {
    const csv = await report('--by', 'user_tier', '--format', 'csv');
    const lines = csv.stdout.trim().split('\r\n').map((l) => l.split(','));
    const share = lines[0]!.indexOf('share');
    expect(lines.slice(1, -1).map((l) => l[share])).toEqual(['0.3333', '0.3333', '0.3333']);

    // A window that has ended echoes its --until date as typed; one that ends after now (today,
    // inclusive) is read up to now and says so, with no date echoed as its end.
    const pastSince = day(Date.now() - 3 * 86_400_000);
    const pastUntil = day(Date.now() - 2 * 86_400_000);
    const past = await report('--since', pastSince, '--until', pastUntil);
    expect(past.stdout).toContain(`${pastUntil} (inclusive) (UTC)`);
    const pastDoc = JSON.parse((await report('--since', pastSince, '--until', pastUntil, '--format', 'json')).stdout);
    expect(pastDoc).toMatchObject({ until_as_given: pastUntil, until: new Date(Date.parse(`${pastUntil}T00:00:00Z`) + 86_400_000).toISOString() });
    const before = Date.now();
    const table = await report('--since', since, '--until', until);
    expect(table.stdout).toMatch(new RegExp(`→ ${until} \\d\\d:\\d\\d \\(so far\\) \\(UTC\\)`));
    const doc = JSON.parse((await report('--since', since, '--until', until, '--format', 'json')).stdout);
    expect(doc.until_as_given).toBeUndefined();
    expect(Date.parse(doc.until)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(doc.until)).toBeLessThanOrEqual(Date.now());
  });
});
