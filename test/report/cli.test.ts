import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerReportCommand, type ReportDeps } from '../../src/cli/report.js';
import { UsageError } from '../../src/lib/errors.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { testStore as createStore } from '../support/store.js';
import { record } from './dataset.js';
import { NOVEMBER_CALLS } from './november.js';
import { readStore } from '../tui/fixtures.js';

let dir: string;
let dbPath: string;
let emptyPath: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tokometer-report-'));
  dbPath = path.join(dir, 'calls.db');
  emptyPath = path.join(dir, 'empty.db');
  const store = createStore(openDriver(dbPath));
  store.insertCalls(NOVEMBER_CALLS.map(record));
  store.close();
  createStore(openDriver(emptyPath)).close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `tokometer report …` with a clock at 2026-12-01 00:00 UTC; returns what it printed. */
async function run(args: string[], overrides: Partial<ReportDeps> = {}): Promise<string> {
  return (await runBoth(args, overrides)).out;
}

/** The same, returning standard output and standard error. */
async function runBoth(args: string[], overrides: Partial<ReportDeps> = {}): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  const opened: string[] = [];
  const deps: ReportDeps = {
    openStore: async ({ path: p }) => (opened.push(p), readStore(p)),
    resolveDb: (flag) => ({ path: flag ?? dbPath, namedBy: flag === undefined ? null : '--db' }),
    clock: () => Date.parse('2026-12-01T00:00:00Z'),
    timeZone: () => 'UTC',
    economics: () => ({ price_per_user: { free: 0, pro: 29, enterprise: 99 }, price_per_tenant: {} }),
    out: (s) => void (out += s),
    err: (s) => void (err += s),
    isTTY: false,
    env: {},
    ...overrides,
  };
  const program = new Command('tokometer').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerReportCommand(program, deps);
  await program.parseAsync(['report', ...args], { from: 'user' });
  return { out, err };
}

describe('tokometer report', () => {
  it('prints JSON in the SPEC shape for --by feature over last month', async () => {
    const doc = JSON.parse(await run(['--by', 'feature', '--since', 'last-month', '--format', 'json']));
    expect(doc.since).toBe('2026-11-01T00:00:00.000Z');
    expect(doc.until).toBe('2026-12-01T00:00:00.000Z');
    expect(doc.rows.map((r: { group: { feature: string } }) => r.group.feature)).toEqual(['summarizer', 'chatbot', 'autocomplete', '(none)']);
    expect(doc.total.cost_usd).toBe(0.1605);
  });

  it('passes filters, key, top and compare through', async () => {
    const doc = JSON.parse(
      await run(['--by', 'feature,user_tier', '--since', '2026-11-01', '--until', '2026-11-30', '--where', 'user_tier!=free', '--where', 'feature=chatbot', '--top', '1', '--compare', 'previous', '--format', 'json']),
    );
    expect(doc.rows.map((r: { group: object }) => r.group)).toEqual([
      { feature: 'chatbot', user_tier: 'enterprise' }, // $0.008 each: ties go alphabetically
      { feature: 'chatbot', user_tier: 'pro' },
      { feature: 'chatbot', user_tier: '(none)' },
    ]);
    expect(doc.where).toEqual([
      { key: 'user_tier', op: '!=', value: 'free' },
      { key: 'feature', op: '=', value: 'chatbot' },
    ]);
    expect(doc.total.prev_cost_usd).toBe(0);
    const byKey = JSON.parse(await run(['--since', 'last-month', '--key', 'ide', '--format', 'json']));
    expect(byKey.by).toEqual(['model']);
    expect(byKey.rows).toEqual([expect.objectContaining({ group: { model: 'tiny' }, calls: 2 })]);
  });

  it('prints a table, coloured only on a TTY without NO_COLOR', async () => {
    const plain = await run(['--by', 'feature', '--since', 'last-month']);
    expect(plain).toContain('Spend by feature');
    expect(plain).not.toMatch(/\u001b\[/);
    expect(await run(['--by', 'feature', '--since', 'last-month'], { isTTY: true })).toMatch(/\u001b\[/);
    expect(await run(['--by', 'feature', '--since', 'last-month'], { isTTY: true, env: { NO_COLOR: '1' } })).not.toMatch(/\u001b\[/);
  });

  it('adds unit economics to the table and the JSON', async () => {
    const table = await run(['--by', 'user_tier', '--since', 'last-month', '--unit-economics']);
    expect(table).toContain('Unit economics');
    const doc = JSON.parse(await run(['--since', 'last-month', '--unit-economics', '--format', 'json']));
    expect(doc.unit_economics).toMatchObject({ months: 1, cost_usd: 0.1605, active_users: 0 });
    const csv = await run(['--since', 'last-month', '--unit-economics', '--format', 'csv']);
    expect(csv.split('\r\n')[0]).toMatch(/^tier,calls,cost_usd/);
  });

  it('prints CSV', async () => {
    const csv = await run(['--by', 'feature', '--since', 'last-month', '--format', 'csv']);
    expect(csv.split('\r\n')[0]).toBe('feature,cost_usd,calls,input_tokens,output_tokens,cached_input_tokens,avg_cost_usd,share,p50_latency_ms,priced_calls,unpriced_calls,row_kind');
  });

  it('names a --by or --where tag key no call of the period has, with the keys seen closest first, and still prints', async () => {
    const typo = await runBoth(['--by', 'featrue', '--since', 'last-month', '--format', 'json']);
    expect(JSON.parse(typo.out).rows).toMatchObject([{ group: { featrue: '(none)' }, share: 1 }]);
    expect(typo.err).toBe('note: no call in this period has the tag key "featrue" (--by); keys seen: feature, user_tier.\n');
    const where = await runBoth(['--by', 'model', '--where', 'tier=pro', '--since', 'last-month']);
    expect(where.out).toContain('Spend by model');
    expect(where.err).toBe('note: no call in this period has the tag key "tier" (--where); keys seen: user_tier, feature.\n');
    expect((await runBoth(['--by', 'feature', '--where', 'user_tier=pro', '--since', 'last-month'])).err).toBe('');
    // A key seen only outside the period counts as unseen in it.
    expect((await runBoth(['--by', 'user_tier', '--since', '2026-11-13', '--until', '2026-11-14'])).err).toContain('"user_tier" (--by); keys seen: none');
  });

  it('echoes an --until date as typed (it is inclusive), not as the midnight after it', async () => {
    const args = ['--by', 'feature', '--since', '2026-11-01', '--until', '2026-11-30'];
    expect(await run(args)).toContain('Spend by feature · 2026-11-01 → 2026-11-30 (inclusive) (UTC)');
    const doc = JSON.parse(await run([...args, '--format', 'json']));
    expect(doc).toMatchObject({ since: '2026-11-01T00:00:00.000Z', until: '2026-12-01T00:00:00.000Z', until_as_given: '2026-11-30' });
    expect(JSON.parse(await run(['--since', '2026-11-01', '--until', '2026-11-30T12:00', '--format', 'json'])).until_as_given).toBeUndefined();
    await expect(run(['--since', '2026-11-05', '--until', '2026-11-01'])).rejects.toThrow('--until "2026-11-01" (inclusive)');
  });

  it('answers an empty database with a friendly message, also as valid JSON', async () => {
    const text = await run(['--db', emptyPath]);
    expect(text).toContain('No calls recorded between 2026-11-01 and 2026-12-01 (UTC).');
    expect(text).toContain('tokometer serve');
    const doc = JSON.parse(await run(['--db', emptyPath, '--format', 'json']));
    expect(doc).toMatchObject({ rows: [], total: { calls: 0, cost_usd: 0 } });
    expect(doc.message).toMatch(/No calls recorded/);
  });

  it.each([
    [['--format', 'xml'], /--format "xml"/],
    [['--top', 'ten'], /--top "ten"/],
    [['--top', '0'], /--top "0"/],
    [['--where', 'feature'], /--where "feature" must look like key=value/],
    [['--where', '=x'], /must look like key=value/],
    [['--by', 'a,b,c'], /at most two/],
    [['--by', 'feature,'], /one or two comma-separated/],
    [['--since', 'soon'], /--since "soon" is not a time/],
    [['--compare', 'next'], /--compare "next"/],
  ])('rejects %j with a UsageError before opening the database', async (args, message) => {
    const opened: string[] = [];
    const attempt = run(args, { openStore: async ({ path: p }) => (opened.push(p), readStore(p)) });
    await expect(attempt).rejects.toThrow(UsageError);
    await expect(run(args)).rejects.toThrow(message);
    expect(opened).toEqual([]);
  });

  it('says when a query needed raw calls that retention pruned; rollup answers still cover all time', async () => {
    const pruned = path.join(dir, 'pruned.db');
    const store = createStore(openDriver(pruned));
    store.insertCalls(NOVEMBER_CALLS.map(record));
    const cutoff = (await store.prune(1, Date.parse('2026-11-11T00:30:00Z'))).cutoff; // raw calls before 2026-11-10 00:00 are gone
    store.close();
    expect(cutoff).toBe(Date.parse('2026-11-10T00:00:00Z'));
    const args = ['--db', pruned, '--since', 'last-month', '--format', 'json'];
    const full = JSON.parse(await run(['--db', dbPath, '--by', 'feature,user_tier', '--since', 'last-month', '--format', 'json']));

    const byFeature = JSON.parse(await run([...args, '--by', 'feature']));
    expect(byFeature.total.cost_usd).toBe(full.total.cost_usd);
    expect(byFeature.raw_calls_pruned_before).toBeUndefined();

    const cross = JSON.parse(await run([...args, '--by', 'feature,user_tier', '--unit-economics']));
    expect(cross.raw_calls_pruned_before).toBe('2026-11-10T00:00:00.000Z');
    expect(cross.total.cost_usd).toBeLessThan(full.total.cost_usd);
    expect(cross.unit_economics.raw_calls_pruned_before).toBeNull();
    const filtered = JSON.parse(await run([...args, '--by', 'feature', '--where', 'user_tier=pro', '--unit-economics']));
    expect(filtered.unit_economics.raw_calls_pruned_before).toBe('2026-11-10T00:00:00.000Z');

    const table = await run(['--db', pruned, '--since', 'last-month', '--by', 'feature,user_tier']);
    expect(table).toContain('Covers calls from 2026-11-10 on only: older raw calls were pruned (retention_days)');
    const csv = await runBoth(['--db', pruned, '--since', 'last-month', '--by', 'feature,user_tier', '--format', 'csv']);
    expect(csv.out).not.toContain('pruned');
    expect(csv.err).toContain('note: Covers calls from 2026-11-10 on only');
  });
});
