import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { loadConfig } from '../../src/config/load.js';
import { DEMO_APPLICATION_ID } from '../../src/demo/db-guard.js';
import { edgesFor } from '../../src/edges.js';
import { hashSecret } from '../../src/lib/ids.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { testStore as createStore } from '../support/store.js';
import { runCli as runBuilt } from '../support/spawn-cli.js';

/** Calls per demo run in these tests: enough for every feature, tier and provider, fast. */
const CALLS = 400;
const DAY = 86_400_000;
/** A fixed "now" for the in-process runs: 2026-11-20 12:00 UTC. */
const NOW = Date.parse('2026-11-20T12:00:00Z');

interface JsonRow {
  group: Record<string, string>;
  cost_usd: number;
  calls: number;
  input_tokens: number;
  output_tokens: number;
  avg_cost_usd: number;
}

/** Runs the CLI in this process on the Node edges, with the clock fixed at `now`. */
async function cli(args: string[], cwd: string, now = NOW, env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const ctx: CliContext = { edges: edgesFor('node'), env, cwd, clock: () => now, out: (s) => void (out += s), err: (s) => void (err += s), isTTY: false };
  const code = await runCli(args, ctx);
  return { code, out, err };
}

async function jsonReport(cwd: string, db: string, by: string, now = NOW): Promise<JsonRow[]> {
  return (await jsonDocument(cwd, db, by, now)).rows;
}

/** The whole JSON report: rows, and the calls counted apart (refused, provider errors) per outcome. */
async function jsonDocument(cwd: string, db: string, by: string, now = NOW): Promise<{ rows: JsonRow[]; excluded_calls: Array<{ outcome: string; calls: number }> }> {
  const r = await cli(['report', '--db', db, '--by', by, '--format', 'json'], cwd, now);
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as { rows: JsonRow[]; excluded_calls: Array<{ outcome: string; calls: number }> };
}

const groups = (rows: JsonRow[], dim: string) => rows.map((r) => r.group[dim]);

describe('tokometer demo (in process, Node edges)', () => {
  let dir: string;
  let first: { code: number; out: string; err: string };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-demo-'));
    first = await cli(['demo', '--calls', String(CALLS)], dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 and prints progress, the by-feature table and the commands to try next', () => {
    expect(first.err).not.toMatch(/"level":"(warn|error)"/);
    expect(first.code).toBe(0);
    expect(first.out).toContain(`${CALLS} simulated calls over the last 30 days`);
    expect(first.out).toMatch(/Spend by feature/);
    for (const feature of ['summarizer', 'chatbot', 'autocomplete']) expect(first.out).toMatch(new RegExp(`^${feature} +\\$`, 'm'));
    expect(first.out).toMatch(/^total +\$/m);
    expect(first.out).toContain('tokometer report --db tokometer-demo.db --by user_tier');
    expect(first.out).toContain('tokometer report --db tokometer-demo.db --config tokometer-demo.yaml --unit-economics');
    expect(first.err).toContain(`demo: done  ${CALLS}/${CALLS} calls`);
  });

  it('report --by feature on its database shows the three features, the summarizer most expensive at ~$0.04 a call', async () => {
    const { rows, excluded_calls: excluded } = await jsonDocument(dir, 'tokometer-demo.db', 'feature');
    expect(groups(rows, 'feature')).toEqual(['summarizer', 'chatbot', 'autocomplete']);
    // Every call is either counted or in the footer; the demo's only uncounted calls are its simulated provider errors.
    expect(excluded.every((e) => e.outcome === 'upstream_error')).toBe(true);
    expect(rows.reduce((s, r) => s + r.calls, 0) + excluded.reduce((s, e) => s + e.calls, 0)).toBe(CALLS);
    const summarizer = rows[0]!;
    expect(summarizer.avg_cost_usd).toBeGreaterThan(0.025);
    expect(summarizer.avg_cost_usd).toBeLessThan(0.06);
    expect(summarizer.input_tokens / summarizer.calls).toBeGreaterThan(7000);
  });

  it('spreads the calls over at least three providers, two tiers of paying users and free users', async () => {
    expect(groups(await jsonReport(dir, 'tokometer-demo.db', 'provider'), 'provider').sort()).toEqual(['anthropic', 'gemini', 'openai']);
    expect(groups(await jsonReport(dir, 'tokometer-demo.db', 'user_tier'), 'user_tier').sort()).toEqual(['enterprise', 'free', 'pro']);
    const endpoints = groups(await jsonReport(dir, 'tokometer-demo.db', 'endpoint'), 'endpoint');
    expect(endpoints).toEqual(expect.arrayContaining(['messages', 'chat.completions', 'embeddings', 'generateContent']));
  });

  it('records each call at its simulated time, across the 30 days before now, in a marked demo database', () => {
    const driver = openDriver(path.join(dir, 'tokometer-demo.db'), { readonly: true });
    try {
      const span = driver.prepare('SELECT MIN(ts) AS first, MAX(ts) AS last, COUNT(DISTINCT ts / 86400000) AS days FROM calls').get<{ first: number; last: number; days: number }>()!;
      expect(span.first).toBeGreaterThanOrEqual(NOW - 30 * DAY);
      expect(span.last).toBeLessThan(NOW);
      expect(span.last - span.first).toBeGreaterThan(20 * DAY);
      expect(span.days).toBeGreaterThanOrEqual(15);
      expect(driver.prepare('PRAGMA application_id').get<{ application_id: number }>()!.application_id).toBe(DEMO_APPLICATION_ID);
      const keys = driver.prepare('SELECT name, tags FROM keys ORDER BY name').all<{ name: string; tags: string }>();
      expect(keys.map((k) => [k.name, JSON.parse(k.tags)])).toEqual([
        ['autocomplete', { feature: 'autocomplete' }],
        ['chatbot', { feature: 'chatbot' }],
        ['summarizer', { feature: 'summarizer' }],
      ]);
      const untagged = driver.prepare("SELECT COUNT(*) AS n FROM calls WHERE json_extract(tags, '$.user_id') IS NULL OR json_extract(tags, '$.session_id') IS NULL").get<{ n: number }>()!;
      expect(untagged.n).toBe(0);
      const tenants = driver.prepare("SELECT COUNT(DISTINCT json_extract(tags, '$.tenant_id')) AS n FROM calls").get<{ n: number }>()!;
      expect(tenants.n).toBeGreaterThanOrEqual(10);
    } finally {
      driver.close();
    }
  });

  it('writes a config with the demo prices so --unit-economics shows AI COGS per tier', async () => {
    const { config } = loadConfig({ path: 'tokometer-demo.yaml', env: {}, cwd: dir });
    expect(config.economics.price_per_user).toEqual({ free: 0, pro: 29, enterprise: 99 });
    expect(Object.keys(config.economics.price_per_tenant)).toHaveLength(20);
    expect(config.db).toBe(path.join(dir, 'tokometer-demo.db'));
    const r = await cli(['report', '--config', 'tokometer-demo.yaml', '--unit-economics'], dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^pro .*\$29\.00/m);
    expect(r.out).toMatch(/^enterprise .*\$99\.00/m);
  });

  it('replaces its own database on a rerun and plans the same month for the same seed, whenever it runs', async () => {
    const before = await jsonReport(dir, 'tokometer-demo.db', 'feature');
    const later = NOW + 3 * DAY;
    const again = await cli(['demo', '--calls', String(CALLS)], dir, later);
    expect(again.code).toBe(0);
    expect(again.out).toContain('replacing the previous demo database');
    const after = await jsonReport(dir, 'tokometer-demo.db', 'feature', later);
    const figures = (rows: JsonRow[]) => rows.map((r) => [r.group.feature, r.calls, r.input_tokens, r.output_tokens, r.cost_usd]);
    expect(figures(after)).toEqual(figures(before));
    const other = await cli(['demo', '--calls', String(CALLS), '--seed', '7', '--db', 'seed7.db'], dir);
    expect(other.code).toBe(0);
    expect(figures(await jsonReport(dir, 'seed7.db', 'feature'))).not.toEqual(figures(before));
  });

  it('refuses databases that hold other data, and the user’s own database, without touching them', async () => {
    const real = path.join(dir, 'real.db');
    const store = createStore(openDriver(real));
    await store.keys.create({ name: 'mine', prefix: 'mk_abcd', hash: hashSecret('mine'), createdAt: NOW });
    await store.close();
    const refused = await cli(['demo', '--calls', '10', '--db', 'real.db'], dir);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('real.db holds data that tokometer demo did not write');
    const driver = openDriver(real, { readonly: true });
    expect(driver.prepare('SELECT name FROM keys').all()).toEqual([{ name: 'mine' }]);
    driver.close();

    writeFileSync(path.join(dir, 'notes.db'), 'not a database');
    expect((await cli(['demo', '--calls', '10', '--db', 'notes.db'], dir)).code).toBe(2);
    expect(readFileSync(path.join(dir, 'notes.db'), 'utf8')).toBe('not a database');

    const own = await cli(['demo', '--calls', '10', '--db', 'calls.db'], dir, NOW, { TOKOMETER_DB: 'calls.db' });
    expect(own.code).toBe(2);
    expect(own.err).toContain('calls.db is where tokometer keeps your real calls');
    expect(existsSync(path.join(dir, 'calls.db'))).toBe(false);
    expect((await cli(['demo', '--calls', '10', '--db', 'tokometer.db'], dir)).code).toBe(2);
    expect(existsSync(path.join(dir, 'tokometer.db'))).toBe(false);
    expect(existsSync(path.join(dir, 'tokometer.yaml'))).toBe(false);

    writeFileSync(path.join(dir, 'mine.yaml'), 'timezone: UTC\n');
    const config = await cli(['demo', '--calls', '10', '--db', 'mine.db'], dir);
    expect(config.code).toBe(2);
    expect(config.err).toContain('mine.yaml exists and was not written by tokometer demo');
    expect(existsSync(path.join(dir, 'mine.db'))).toBe(false);
  });

  it('describes what it recorded: with --calls 3, the users, tiers, tenants, sessions and providers of those calls, in words that fit the counts', async () => {
    const small = mkdtempSync(path.join(tmpdir(), 'tokometer-demo-small-'));
    try {
      const run = await cli(['demo', '--calls', '3'], small);
      expect(run.code).toBe(0);
      const store = createStore(openDriver(path.join(small, 'tokometer-demo.db')));
      const calls = (await store.calls.list({ since: 0, until: Number.MAX_SAFE_INTEGER, where: [], timeZone: 'UTC' }));
      await store.close();
      const distinct = (f: (c: (typeof calls)[number]) => string | undefined) => [...new Set(calls.map(f).filter((v) => v !== undefined))];
      const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
      const tiers = ['free', 'pro', 'enterprise'].filter((t) => distinct((c) => c.tags.user_tier).includes(t));
      const tenants = distinct((c) => c.tags.tenant_id).length;
      const line =
        `Recorded ${count(calls.length, 'call', 'calls')} from ${count(distinct((c) => c.tags.user_id).length, 'user', 'users')} (${tiers.join(', ')})` +
        `${tenants === 0 ? '' : ` in ${count(tenants, 'tenant', 'tenants')}`}, ${count(distinct((c) => c.tags.session_id).length, 'session', 'sessions')}, via ${distinct((c) => c.provider).sort().join(', ')}, in `;
      expect(calls.length).toBe(3);
      expect(run.out).toContain(line);
    } finally {
      rmSync(small, { recursive: true, force: true });
    }
  });

  it('rejects malformed flags with exit code 2', async () => {
    for (const args of [['--calls', '0'], ['--calls', 'many'], ['--seed', '-1'], ['--concurrency', '0']]) {
      const r = await cli(['demo', ...args, '--db', 'flags.db'], dir);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/expects a whole number/);
    }
  });
});

describe('tokometer demo (built binary: Bun.serve, fetch, bun:sqlite)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-demo-bin-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the demo, and report on its database shows the three features and three providers', async () => {
    const demo = await runBuilt('binary', ['demo', '--calls', String(CALLS), '--db', 'bin-demo.db'], { cwd: dir });
    expect(demo.stderr).toContain('demo: done');
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(/^summarizer +\$/m);
    expect(demo.stdout).toContain('tokometer report --db bin-demo.db --by user_tier');

    const byFeature = await runBuilt('binary', ['report', '--db', 'bin-demo.db', '--by', 'feature', '--format', 'json'], { cwd: dir });
    expect(byFeature.code).toBe(0);
    const rows = (JSON.parse(byFeature.stdout) as { rows: JsonRow[] }).rows;
    expect(groups(rows, 'feature')).toEqual(['summarizer', 'chatbot', 'autocomplete']);
    const byProvider = await runBuilt('binary', ['report', '--db', 'bin-demo.db', '--by', 'provider', '--format', 'json'], { cwd: dir });
    expect(groups((JSON.parse(byProvider.stdout) as { rows: JsonRow[] }).rows, 'provider').sort()).toEqual(['anthropic', 'gemini', 'openai']);
  });
});
