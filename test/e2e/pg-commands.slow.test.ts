import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FakeUpstream } from '../support/fake-upstream.js';
import { freePort } from '../support/pg-server.mjs';
import { createTestDatabase, dropTestDatabase } from '../support/pg.js';
import { runCli, startServe, stopProcess, type Build } from '../support/spawn-cli.js';

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');
const UPSTREAM_KEY = 'sk-pg-upstream-key-000000000000000';
// gpt-4o-mini, 1250 prompt (1024 cached) + 9 output: 116,100 nano-USD per call (built-cli.slow.test.ts).
/**
 * Each case runs 5–10 CLI processes and a serve one after the other: 3–11 s on a quiet machine,
 * and three times that in a full run on a slow host (a clean-clone run on 2026-12-07 read 21–30 s
 * for the Node build). A budget for the machine, not a timing target.
 */
const COMMANDS_TIMEOUT_MS = 90_000;
const CALL_NANO = 116_100;

/**
 * Every command on a PostgreSQL URL, through the built artefacts (the compiled Bun binary
 * and the Node package): keys, serve with an official SDK, report (and --unit-economics),
 * audit, prices unpriced, demo --db, and the errors for an empty database and an
 * unreachable server (naming the host, never the password).
 */
describe.each<Build>(['binary', 'node'])('commands on PostgreSQL (%s)', (build) => {
  const adminUrl = inject('pgUrl');
  let dir: string;
  let fake: FakeUpstream;
  let url: string;
  const made: string[] = [];
  const fresh = async (label: string) => {
    const u = await createTestDatabase(adminUrl, label);
    made.push(u);
    return u;
  };
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), `tokometer-pgcli-${build}-`));
    fake = await new FakeUpstream({ expectedKey: UPSTREAM_KEY, reply: () => ({ body: CHAT }) }).start();
    url = await fresh(`cli_${build}`);
    writeFileSync(path.join(dir, 'tokometer.yaml'), `db: ${url}\nproviders:\n  openai: { base_url: "${fake.url}", api_key: "${UPSTREAM_KEY}" }\nstore: { flush_interval_ms: 20 }\n`);
  });
  afterAll(async () => {
    await fake.stop();
    for (const u of made) await dropTestDatabase(adminUrl, u);
    rmSync(dir, { recursive: true, force: true });
  });
  const cli = (args: string[]) => runCli(build, args, { cwd: dir });

  it('keys, serve with the OpenAI SDK, report, audit and prices unpriced read and write the same database', async () => {
    const created = await cli(['keys', 'create', 'summarizer', '--tag', 'feature=summarizer', '--budget', '1000', '--period', 'month']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const secret = /mk_[0-9A-Za-z]{32}/.exec(created.stdout)?.[0] as string;
    expect((await cli(['keys', 'set', 'summarizer', '--budget', '2000'])).code).toBe(0);
    const listed = await cli(['keys', 'list']);
    expect(listed.stdout).toMatch(/summarizer/);
    expect(listed.stdout).toMatch(/\$2,?000/);
    expect((await cli(['keys', 'history', 'summarizer'])).stdout).toMatch(/set/);

    const serve = await startServe(build, ['--port', '0'], { cwd: dir });
    expect(serve.output().stdout).toContain('db postgres://');
    expect(serve.output().stdout).not.toContain('tokometer-test'); // the test server's password
    const client = new OpenAI({ apiKey: secret, baseURL: `${serve.url}/proxy/openai`, maxRetries: 0 });
    for (const tier of ['free', 'pro', 'pro']) {
      const res = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'X-Metering-Tags': JSON.stringify({ user_tier: tier, user_id: `u-${tier}` }) } });
      expect(res.usage?.total_tokens).toBe(1259);
    }
    const health = (await (await fetch(`${serve.url}/healthz`)).json()) as { status: string };
    expect(health.status).toBe('ok');
    expect(await stopProcess(serve.child)).toBe(0);

    const report = await cli(['report', '--by', 'user_tier', '--format', 'json', '--since', '1d']);
    expect(report.code, report.stderr).toBe(0);
    const json = JSON.parse(report.stdout) as { total: { calls: number; cost_usd: number }; rows: Array<{ group: Record<string, string>; calls: number }> };
    expect(json.total.calls).toBe(3);
    expect(Math.round(json.total.cost_usd * 1e9)).toBe(3 * CALL_NANO);
    expect(json.rows.map((r) => [r.group.user_tier, r.calls]).sort()).toEqual([['free', 1], ['pro', 2]]);
    const economics = await cli(['report', '--unit-economics', '--since', '1d']);
    expect(economics.code, economics.stderr).toBe(0);
    expect(economics.stdout).toMatch(/Active users 2/);
    const audit = await cli(['audit', '--since', '1d', '--format', 'json']);
    expect(audit.code, audit.stderr).toBe(0);
    expect((JSON.parse(audit.stdout) as { calls: number }).calls).toBe(3);
    const unpriced = await cli(['prices', 'unpriced']);
    expect(unpriced.code, unpriced.stderr).toBe(0);
    expect(unpriced.stdout).toMatch(/Every recorded call has a price/);
  }, COMMANDS_TIMEOUT_MS);

  it('demo --db writes its month into a PostgreSQL database of its own, replaces only its own data, and the commands it suggests run', async () => {
    const demoUrl = await fresh(`demo_${build}`);
    const demoDir = mkdtempSync(path.join(tmpdir(), `tokometer-pgdemo-${build}-`));
    try {
      const run = (args: string[]) => runCli(build, args, { cwd: demoDir });
      const first = await run(['demo', '--db', demoUrl, '--calls', '300']);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/Recorded 300 calls/);
      expect(first.stdout).not.toContain('tokometer-test');
      expect(statSync(path.join(demoDir, 'tokometer-demo.yaml')).mode & 0o777).toBe(0o600);
      const next = first.stdout.split('\n').find((l) => /report --config tokometer-demo.yaml --by user_tier/.test(l))!;
      expect(next).toBeDefined();
      const suggested = await run(['report', '--config', 'tokometer-demo.yaml', '--by', 'user_tier']);
      expect(suggested.code, suggested.stderr).toBe(0);
      expect(suggested.stdout).toMatch(/enterprise/);
      const again = await run(['demo', '--db', demoUrl, '--calls', '50']);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/replacing the previous demo database/);
      // A database holding anything else is refused: the main one has a real key and calls.
      const refused = await run(['demo', '--db', url, '--calls', '10']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/holds tokometer data that tokometer demo did not write/);
    } finally {
      rmSync(demoDir, { recursive: true, force: true });
    }
  }, COMMANDS_TIMEOUT_MS);

  it('an empty database is exit 2 for the read commands and prices reprice (nothing created); an unreachable server names the host, never the password', async () => {
    const empty = await fresh(`empty_${build}`);
    for (const args of [['report'], ['audit'], ['keys', 'list'], ['prices', 'unpriced'], ['prices', 'history'], ['prices', 'reprice', '--since', '1d']]) {
      const r = await cli([...args, '--db', empty]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/no tokometer data at postgres:\/\/postgres@127\.0\.0\.1:\d+\/tk_empty/);
    }
    // Prices shown from an empty database come from the pinned catalog.
    const show = await cli(['prices', 'show', 'gpt-4o-mini', '--provider', 'openai', '--db', empty]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('source            genai-prices@0.1.8');
    const sql = postgres(empty, { max: 1, onnotice: () => {} });
    try {
      expect(await sql`SELECT COUNT(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`).toEqual([{ n: 0 }]);
    } finally {
      await sql.end();
    }
    const port = await freePort();
    const down = await cli(['report', '--db', `postgres://someone:hunter2secret@127.0.0.1:${port}/nowhere`]);
    expect(down.code).not.toBe(0);
    expect(down.stderr).toContain(`postgres://someone@127.0.0.1:${port}/nowhere`);
    expect(down.stderr).not.toContain('hunter2secret');
  }, COMMANDS_TIMEOUT_MS);
});
