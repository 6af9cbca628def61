import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAdminApi } from '../support/fake-admin-api.js';
import { startHarness, type Harness } from '../support/proxy-harness.js';
import { runCli, type Build } from '../support/spawn-cli.js';
import { databaseBytes, sendBatches } from '../reconcile/helpers.js';
import { ADMIN_KEY, ADMIN_USAGE, BATCHES, OTHER_COSTS, upstreamReply } from '../reconcile/openai-scenario.js';

/**
 * `tokometer reconcile` through the built artefacts (the Bun binary: fetch and bun:sqlite;
 * the Node package: undici's fetch and better-sqlite3) on the OpenAI scenario: the same
 * classification and amounts as in-process, Retry-After honoured, and the exit codes.
 */

let h: Harness;
let now = Date.parse('2026-11-01T12:00:00Z');

beforeAll(async () => {
  h = await startHarness({ upstream: { reply: upstreamReply }, overrides: { clock: () => now } });
  await sendBatches(h, BATCHES, (ms) => (now = ms), { authorization: `Bearer ${h.secret}` });
});
afterAll(async () => {
  await h?.close();
});

describe.each<Build>(['binary', 'node'])('built reconcile (%s)', (build) => {
  let admin: FakeAdminApi;
  let dir: string;

  beforeAll(async () => {
    admin = await new FakeAdminApi({ family: 'openai', key: ADMIN_KEY, usage: ADMIN_USAGE, other: OTHER_COSTS, faults: { '/v1/organization/usage/completions': { status: 429, retryAfter: '1' } } }).start();
    dir = mkdtempSync(path.join(tmpdir(), `tokometer-reconcile-${build}-`));
    writeFileSync(path.join(dir, 'tokometer.yaml'), `providers:\n  openai: { base_url: "${admin.url}/v1" }\n`);
  });
  afterAll(async () => {
    await admin?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const reconcile = (args: string[], env: Record<string, string> = { OPENAI_ADMIN_KEY: ADMIN_KEY }) =>
    runCli(build, ['reconcile', '--provider', 'openai', '--since', '2026-11-01', '--until', '2026-11-07', '--db', h.dbPath, ...args], { cwd: dir, env });

  it('classifies the planted differences and exits 3', async () => {
    const r = await reconcile(['--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout);
    expect(doc.rows.map((x: { day: string; model: string; status: string }) => `${x.day} ${x.model} ${x.status}`)).toEqual([
      '2026-11-01 gpt-4o-2024-08-06 match',
      '2026-11-01 text-embedding-3-small match',
      '2026-11-02 gpt-4.1-2025-04-14 unmetered_traffic',
      '2026-11-02 web search tool calls outside_meter',
      '2026-11-03 gpt-4o-2024-08-06 token_drift',
      '2026-11-04 gpt-4o-mini-2024-07-18 price_drift',
    ]);
    expect(doc.rows[2].unmetered_requests).toBe(12);
    [0, 0, 0.672, 0.25, -0.075, 0.048].forEach((usd, i) => expect(doc.rows[i].diff.cost_usd).toBeCloseTo(usd, 6));
    const completions = admin.hits('/v1/organization/usage/completions');
    expect(completions[0]!.status).toBe(429);
    expect(completions[1]!.at - completions[0]!.at).toBeGreaterThanOrEqual(990);
    expect(admin.problems).toEqual([]);
  });

  it('exits 0 within a wider tolerance, and 2 for a missing or rejected key or a missing database, never printing the key', async () => {
    const wide = await reconcile(['--tolerance', '100%,1']);
    expect(wide.code).toBe(0);
    expect(wide.stdout).toContain('Every row is within the tolerance. 1 row outside the meter.');
    const missing = await reconcile([], {});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('set OPENAI_ADMIN_KEY');
    const wrong = await reconcile([], { OPENAI_ADMIN_KEY: `${ADMIN_KEY}-old` });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('OpenAI rejected the admin key from OPENAI_ADMIN_KEY');
    const noDb = await runCli(build, ['reconcile', '--provider', 'openai', '--db', path.join(dir, 'none.db')], { cwd: dir, env: { OPENAI_ADMIN_KEY: ADMIN_KEY } });
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toContain(`no database at ${path.join(dir, 'none.db')}`);
    for (const r of [wide, missing, wrong, noDb]) expect(r.stdout + r.stderr).not.toContain(ADMIN_KEY);
    expect(databaseBytes(h.dbPath)).not.toContain(ADMIN_KEY);
  });
});
