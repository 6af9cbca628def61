import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPSTREAM_KEY } from '../budget/support.js';
import { chatCall, COMPLETION, PROMPT, readDb, startEchoUpstream, waitFor } from '../prices/support.js';
import type { FakeUpstream } from '../support/fake-upstream.js';
import { stopProcess, type Build } from '../support/spawn-cli.js';
import { cliWorkspace } from './cli-workspace.js';

/**
 * Issue #21: `prices reprice` after a config price change moves the stored calls, the
 * rollups (so `report`), the entity rows (so `--unit-economics`) and a running serve's
 * budget spend of the current period to the new cost exactly; `--dry-run` changes
 * nothing; `prices history` shows the run.
 */

const TOKEN = 'reprice-admin-token';
/** Per call: $1 / $2 per 1M before, $3 / $5 after. */
const OLD = PROMPT * 1000 + COMPLETION * 2000;
const NEW = PROMPT * 3000 + COMPLETION * 5000;
const USERS = { u1: { user_tier: 'free', calls: 3 }, u2: { user_tier: 'pro', calls: 2 } };
const CALLS = 5;

describe.each<Build>(['node', 'binary'])('prices reprice with the %s build', (build) => {
  let fake: FakeUpstream;
  const { db, config, cli, createKey, startServe } = cliWorkspace(build);
  const writeConfig = (input: number, output: number) =>
    writeFileSync(
      config,
      [
        'providers:',
        `  openai: { base_url: "${fake.url}", api_key: "${UPSTREAM_KEY}" }`,
        `admin: { token: "${TOKEN}" }`,
        'store: { flush_interval_ms: 5 }',
        'budgets:',
        '  - { name: per-user, per: user_id, limit_usd: 100, period: month }',
        `prices: { poll_interval: 1s, gpt-4o-mini: { input: ${input}, output: ${output} } }`,
        '',
      ].join('\n'),
    );
  const sql = <T>(query: string): T => {
    const d = readDb(db.dbPath);
    try {
      return d.prepare(query).get<T>()!;
    } finally {
      d.close();
    }
  };
  let secret = '';

  beforeAll(async () => {
    fake = await startEchoUpstream();
    writeConfig(1, 2);
    secret = await createKey('app', '--budget', '50');
  });
  afterAll(async () => {
    await fake.stop();
    db.cleanup();
  });

  it('moves calls, rollups, entity rows and the running budgets to the new cost; dry run first changes nothing', async () => {
    const serve = await startServe();
    const budgets = async () => {
      const res = await fetch(`${serve.url}/admin/budgets`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const list = ((await res.json()) as { budgets: Array<{ name: string; tag_value: string | null; spent_usd: number }> }).budgets;
      return Object.fromEntries(list.map((b) => [`${b.name}${b.tag_value ? `:${b.tag_value}` : ''}`, b.spent_usd]));
    };
    try {
      for (const [user, u] of Object.entries(USERS)) {
        for (let i = 0; i < u.calls; i++) expect(await chatCall(serve.url, secret, 'gpt-4o-mini', { user_id: user, user_tier: u.user_tier })).toBe(200);
      }
      await waitFor(() => (sql<{ n: number }>('SELECT COUNT(*) AS n FROM calls').n === CALLS ? true : undefined), 10_000);
      expect(sql('SELECT SUM(cost_nano) AS cost FROM calls')).toEqual({ cost: CALLS * OLD });
      expect(await budgets()).toEqual({ app: (CALLS * OLD) / 1e9, 'per-user:u1': (3 * OLD) / 1e9, 'per-user:u2': (2 * OLD) / 1e9 });

      writeConfig(3, 5);
      const dry = await cli('prices', 'reprice', '--since', '1h', '--dry-run');
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toMatch(/openai\s+gpt-4o-mini\s+5\s+5\s+\$0\.006\s+\$0\.0175\s+\+\$0\.0115/);
      expect(dry.stdout).toContain('dry run: nothing changed');
      expect(sql('SELECT SUM(cost_nano) AS cost FROM calls')).toEqual({ cost: CALLS * OLD });
      expect(sql('SELECT COUNT(*) AS n FROM reprice_runs')).toEqual({ n: 0 });

      const run = await cli('prices', 'reprice', '--since', '1h');
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('repriced 5 of 5 calls (run #1; prices: config, overrides, genai-prices@0.1.8');
      // A running serve read the config's prices at its start: the new calls it makes keep the old ones until it restarts (a trial found no word of it).
      expect(run.stdout).toContain('A serve already running keeps the config prices it started with: restart it so new calls get these prices too.');
      // Run again with the same prices: nothing changed, nothing to restart for (a review: the note came with any prices: section).
      const again = await cli('prices', 'reprice', '--since', '1h');
      expect(again.stdout).toContain('repriced 0 of 5 calls');
      expect(again.stdout).not.toContain('A serve already running');

      // Calls, rollups and entity rows, exactly.
      expect(sql("SELECT SUM(cost_nano) AS cost, COUNT(*) AS n, SUM(price_source = 'config') AS config FROM calls")).toEqual({ cost: CALLS * NEW, n: CALLS, config: CALLS });
      expect(sql("SELECT SUM(r.cost_nano) AS cost, SUM(r.priced) AS priced FROM rollups r JOIN rollup_dims d ON d.id = r.dim_id WHERE d.tag_key = ''")).toEqual({ cost: CALLS * NEW, priced: CALLS });
      expect(sql("SELECT SUM(cost_nano) AS cost FROM entity_months WHERE key = 'user_id' AND seg_key = ''")).toEqual({ cost: CALLS * NEW });

      const report = await cli('report', '--since', 'this-month', '--format', 'json', '--unit-economics');
      expect(report.code, report.stderr).toBe(0);
      const doc = JSON.parse(report.stdout) as { total: { cost_usd: number }; unit_economics: { cost_usd: number; tiers: Array<{ tier: string; cost_usd: number }> } };
      expect(doc.total.cost_usd).toBe((CALLS * NEW) / 1e9);
      expect(doc.unit_economics.cost_usd).toBe((CALLS * NEW) / 1e9);
      expect(Object.fromEntries(doc.unit_economics.tiers.map((t) => [t.tier, t.cost_usd]))).toEqual({ free: (3 * NEW) / 1e9, pro: (2 * NEW) / 1e9 });

      // The running serve's budgets follow within its poll interval.
      const expected = { app: (CALLS * NEW) / 1e9, 'per-user:u1': (3 * NEW) / 1e9, 'per-user:u2': (2 * NEW) / 1e9 };
      await waitFor(async () => (JSON.stringify(await budgets()) === JSON.stringify(expected) ? true : undefined), 15_000, 200);

      const history = await cli('prices', 'history');
      expect(history.code).toBe(0);
      expect(history.stdout).toMatch(/#1 {2}\S+ {2}by \S+@\S+\n {2}calls .*; prices: config, overrides, genai-prices@0\.1\.8\n {2}5 of 5 calls changed: \$0\.006 → \$0\.0175 \(\+\$0\.0115\)\n {4}openai\/gpt-4o-mini: 5 of 5 calls/);
    } finally {
      expect(await stopProcess(serve.child)).toBe(0);
    }
  });

  it('a restarted serve seeds its budgets from the repriced calls', async () => {
    const serve = await startServe();
    try {
      const res = await fetch(`${serve.url}/admin/budgets`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const app = ((await res.json()) as { budgets: Array<{ name: string; spent_usd: number }> }).budgets.find((b) => b.name === 'app');
      expect(app?.spent_usd).toBe((CALLS * NEW) / 1e9);
    } finally {
      expect(await stopProcess(serve.child)).toBe(0);
    }
  });
});
