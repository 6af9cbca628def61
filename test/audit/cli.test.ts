import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { edgesFor } from '../../src/edges.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { testStore as createStore } from '../support/store.js';
import { MINUTE, SINCE, UNTIL, many, record } from './helpers.js';

let dir: string;
let dbPath: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tokometer-audit-'));
  dbPath = path.join(dir, 'calls.db');
  const store = createStore(openDriver(dbPath));
  // The downgrade dataset of model-downgrade.test.ts ($3.29) plus 5 aborted chat calls ($0.05).
  store.insertCalls(
    [
      ...many(1000, () => ({ tags: { feature: 'classifier' }, input: 1000, output: 100 })),
      ...many(5, (i) => ({ at: SINCE + (2000 + i * 10) * MINUTE, tags: { feature: 'chat' }, outcome: 'client_aborted' as const, cost: 10_000_000 })),
    ].map(record),
  );
  store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI in-process with the clock at `now` (default Dec 1, 2026 00:00 UTC). */
async function cli(args: string[], now = UNTIL, cwd = dir): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const ctx: CliContext = {
    edges: edgesFor('node'),
    env: {},
    cwd,
    clock: () => now,
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    isTTY: false,
  };
  const code = await runCli(args, ctx);
  return { code, out, err };
}

describe('tokometer audit', () => {
  it('prints the ranked table with the total last (floor $1/month)', async () => {
    const { code, out } = await cli(['audit', '--db', dbPath, '--min-saving', '1']);
    expect(code).toBe(0);
    expect(out).toContain('classifier: gpt-4o → gpt-4o-mini for short answers');
    expect(out).not.toContain('failed or abandoned');
    expect(out.trimEnd().split('\n').at(-1)).toMatch(/^Total estimated saving: \$3\.29 per month/);
  });

  it('prints JSON that parses, with --min-saving, --where and --since applied', async () => {
    const { code, out } = await cli(['audit', '--db', dbPath, '--format', 'json', '--min-saving', '0', '--since', '30d']);
    expect(code).toBe(0);
    const doc = JSON.parse(out);
    expect(doc.findings.map((f: { detector: string }) => f.detector)).toEqual(['model-downgrade', 'waste']);
    expect(doc.total.saving_nano_per_month).toBe(3_340_000_000);
    const chat = JSON.parse((await cli(['audit', '--db', dbPath, '--format', 'json', '--min-saving', '0', '--where', 'feature=chat'])).out);
    expect(chat.findings.map((f: { detector: string }) => f.detector)).toEqual(['waste']);
  });

  it('prints Markdown and accepts --batch-tag', async () => {
    const { code, out } = await cli(['audit', '--db', dbPath, '--format', 'md', '--batch-tag', 'feature=classifier']);
    expect(code).toBe(0);
    expect(out).toContain('| # | Finding | Saving / month | Confidence |');
    // Batch: $3.50 of non-streamed OpenAI calls at 50% off = $1.75.
    expect(out).toContain('| classifier: 1,000 non-streaming calls could use the openai batch API (−50%) | $1.75 | high |');
  });

  it('exits 2 on bad usage', async () => {
    expect((await cli(['audit', '--db', dbPath, '--format', 'csv'])).code).toBe(2);
    expect((await cli(['audit', '--db', dbPath, '--min-saving', 'lots'])).code).toBe(2);
    expect((await cli(['audit', '--db', dbPath, '--where', 'nonsense'])).code).toBe(2);
    expect((await cli(['audit', '--db', dbPath, '--since', 'yesteryear'])).code).toBe(2);
  });

  it('audits an empty database without findings', async () => {
    const empty = path.join(dir, 'empty.db');
    await createStore(openDriver(empty)).close();
    const { code, out } = await cli(['audit', '--db', empty]);
    expect(code).toBe(0);
    expect(out).toContain('No findings');
  });

  it('refuses a --db path with no database (exit 2, the path named) and creates nothing', async () => {
    const typo = path.join(dir, 'typo.db');
    const { code, out, err } = await cli(['audit', '--db', typo]);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toBe(`tokometer: no database at ${typo}: the file given to --db does not exist\n`);
    expect(readdirSync(dir).filter((f) => f.startsWith('typo'))).toEqual([]);
  });
});

describe('tokometer audit on the demo database', () => {
  it('finds the downgrade, oversized-prompt, caching and free-tier patterns the demo plants', async () => {
    const demoDir = mkdtempSync(path.join(tmpdir(), 'tokometer-audit-demo-'));
    try {
      const now = Date.parse('2026-12-01T12:00:00Z');
      const demoDb = path.join(demoDir, 'demo.db');
      const demo = await cli(['demo', '--db', demoDb, '--calls', '1500'], now, demoDir);
      expect(demo.code, demo.err).toBe(0);
      const { code, out } = await cli(['audit', '--db', demoDb, '--format', 'json', '--min-saving', '0'], now, demoDir);
      expect(code).toBe(0);
      const doc = JSON.parse(out);
      const detectors = new Set(doc.findings.map((f: { detector: string }) => f.detector));
      for (const d of ['model-downgrade', 'oversized-prompts', 'caching', 'free-tier']) expect(detectors, d).toContain(d);
      const summarizer = doc.findings.find((f: { detector: string; scope: { feature?: string } }) => f.detector === 'model-downgrade' && f.scope.feature === 'summarizer');
      expect(summarizer).toBeDefined();
    } finally {
      rmSync(demoDir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('default saving floor', () => {
  it('is 0.5% of the monthly spend, between one cent and one dollar', async () => {
    const { defaultMinSaving } = await import('../../src/audit/runner.js');
    expect(defaultMinSaving(0)).toBe(10_000_000);
    expect(defaultMinSaving(14_460_000_000)).toBe(72_300_000); // $14.46 a month → $0.0723
    expect(defaultMinSaving(1_800_000_000_000)).toBe(1_000_000_000); // $1,800 a month → capped at $1
  });
});
