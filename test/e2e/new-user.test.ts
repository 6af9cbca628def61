import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { testStore as createStore } from '../support/store.js';
import { record } from '../audit/helpers.js';
import { BINARY, NODE_ENTRY, runCli, runProgram, type Build } from '../support/spawn-cli.js';

/**
 * What a new user trips on (issue #18), on the built artefacts: a closed pipe, the demo's
 * "Try next" commands, the port in `keys create`'s hint, audit's closing count and budget
 * rate, and the `keys list` header. (The TUI's tail width: test/tui/wide-tail.test.ts.)
 */

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tokometer-new-user-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a bash script in `cwd` to completion (a real shell pipeline, with kernel pipes). */
const bash = (script: string, cwd: string, env: Record<string, string> = {}) => runProgram('bash', ['-c', script], { cwd, env });

/** The command words of a build for a shell script. */
const invoke = (build: Build) => (build === 'binary' ? `'${BINARY}'` : `'${process.execPath}' '${NODE_ENTRY}'`);

describe.each<Build>(['binary', 'node'])('a closed stdout (%s)', (build) => {
  it('ends `prices list | head -n 1` quietly with exit 0', async () => {
    // The list is larger than a pipe's 64 KiB buffer, so writing it into a closed pipe must fail.
    const full = await runCli(build, ['prices', 'list'], { cwd: dir });
    expect(full.code).toBe(0);
    expect(Buffer.byteLength(full.stdout)).toBeGreaterThan(65_536);

    const piped = await bash(`${invoke(build)} prices list 2>stderr-${build}.txt | head -n 1; echo "exit=\${PIPESTATUS[0]}"; cat stderr-${build}.txt`, dir);
    const [first, exit, ...rest] = piped.stdout.split('\n');
    expect(first).toBe(full.stdout.split('\n')[0]);
    expect(exit).toBe('exit=0');
    expect(rest.join('\n')).toBe('');
  });
});

describe('the built binary', () => {
  it("prints the demo's 'Try next' commands as it was started, and they run as printed", async () => {
    const demoDir = path.join(dir, 'demo');
    mkdirSync(demoDir);
    symlinkSync(BINARY, path.join(demoDir, 'tokometer'));
    const demo = await bash('./tokometer demo --calls 200 --db d.db', demoDir);
    expect(demo.code).toBe(0);
    const steps = demo.stdout
      .slice(demo.stdout.indexOf('Try next:'))
      .split('\n')
      .slice(1)
      .filter((l) => l.trim() !== '')
      .map((l) => l.trim().split(/\s{3,}/)[0]!);
    expect(steps.length).toBeGreaterThan(5);
    for (const step of steps) expect(step).toMatch(/^\.\/tokometer (report|tui|audit) --db d\.db/);

    const byProvider = steps.find((s) => s.endsWith('--by provider'))!;
    const run = await bash(`${byProvider} --format json`, demoDir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // Counted calls plus the footer's (the demo's simulated provider errors) are every call it made.
    const doc = JSON.parse(run.stdout) as { total: { calls: number }; excluded_calls?: Array<{ calls: number }> };
    expect(doc.total.calls + (doc.excluded_calls ?? []).reduce((a, e) => a + e.calls, 0)).toBe(200);
    const economics = await bash(steps.find((s) => s.includes('--unit-economics'))!, demoDir);
    expect(economics.code).toBe(0);
  });

  it("prints the Node build's demo commands with node and its entry file", async () => {
    const nodeDir = path.join(dir, 'node-demo');
    mkdirSync(nodeDir);
    const demo = await runCli('node', ['demo', '--calls', '100', '--db', 'n.db'], { cwd: nodeDir });
    expect(demo.code).toBe(0);
    const step = /^ {2}(node \S+ report --db n\.db --by day)\s{3}/m.exec(demo.stdout)?.[1];
    expect(step).toBe(`node ${NODE_ENTRY} report --db n.db --by day`);
    const run = await bash(step!, nodeDir, { PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}` });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Spend by day');
  });

  it("uses the config's listen port in keys create's OPENAI_BASE_URL hint", async () => {
    const keysDir = path.join(dir, 'port');
    mkdirSync(keysDir);
    writeFileSync(path.join(keysDir, 'tokometer.yaml'), 'listen: { port: 9999 }\n');
    const created = await runCli('binary', ['keys', 'create', 'app'], { cwd: keysDir });
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('OPENAI_BASE_URL=http://127.0.0.1:9999/proxy/openai ');
    expect(created.stdout).not.toContain(':8787');
  });

  it('lists keys under a header row, in aligned columns', async () => {
    const keysDir = path.join(dir, 'list');
    mkdirSync(keysDir);
    for (const args of [['web'], ['summarizer-service', '--budget', '50', '--tag', 'feature=summarizer']]) {
      expect((await runCli('binary', ['keys', 'create', ...args], { cwd: keysDir })).code).toBe(0);
    }
    const list = await runCli('binary', ['keys', 'list'], { cwd: keysDir });
    expect(list.code).toBe(0);
    const [header, ...rows] = list.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^name +key +budget +tags +created$/);
    expect(rows).toHaveLength(2);
    const columnAt = (label: string) => header!.indexOf(label);
    for (const row of rows) {
      expect(row.indexOf('mk_')).toBe(columnAt('key'));
      expect(row.slice(columnAt('created'))).toMatch(/^\d{4}-\d\d-\d\d$/);
    }
    expect(rows[1]!.slice(columnAt('budget'))).toMatch(/^\$0\.00 of \$50\.00\/month \(0 %\) +feature=summarizer +\d{4}/);
  });

  it("audit counts the findings it lists and gives a non-zero daily rate to a few minutes' spend", async () => {
    const auditDir = path.join(dir, 'audit');
    mkdirSync(auditDir);
    expect((await runCli('binary', ['keys', 'create', 'summarizer', '--budget', '0.00001'], { cwd: auditDir })).code).toBe(0);
    // Three calls in the last ten minutes, $0.0000105 each: $0.0000315, over the key's cap.
    const store = createStore(openDriver(path.join(auditDir, 'tokometer.db')));
    const now = Date.now();
    store.insertCalls([10, 5, 1].map((m) => record({ at: now - m * 60_000, key: 'summarizer', model: 'gpt-4o-mini', cost: 10_500 })));
    store.close();

    const table = await runCli('binary', ['audit'], { cwd: auditDir });
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('key summarizer: cap of $0.00001 already reached this month');
    const listed = table.stdout.split('\n').filter((l) => /^\d+\. /.test(l)).length;
    expect(listed).toBeGreaterThan(0);
    const total = table.stdout.trimEnd().split('\n').at(-1)!;
    expect(total).toMatch(new RegExp(`from ${listed} findings?\\b`));
    expect(table.stdout).toContain('spend per day (last 1.0 days): $0.0000315');

    const json = JSON.parse((await runCli('binary', ['audit', '--format', 'json'], { cwd: auditDir })).stdout) as {
      findings: unknown[];
      budgets: Array<{ name: string; spent_usd: number; daily_rate_usd: number; rate_window_days: number }>;
      total: { findings: number; savings: number; notices: number };
    };
    expect(json.total.findings).toBe(json.findings.length);
    expect(json.total.savings + json.total.notices).toBe(json.findings.length);
    const budget = json.budgets.find((b) => b.name === 'key summarizer')!;
    expect(budget.spent_usd).toBeCloseTo(0.0000315, 12);
    expect(budget.daily_rate_usd).toBeCloseTo(0.0000315, 12);
    expect(budget.rate_window_days).toBe(1);
  });
});
