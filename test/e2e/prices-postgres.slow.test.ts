import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chatCall, COMPLETION, PROMPT, provider, publishedCatalog, serveFiles, startEchoUpstream, waitFor } from '../prices/support.js';
import type { FakeUpstream } from '../support/fake-upstream.js';
import { createTestDatabase, dropTestDatabase } from '../support/pg.js';
import { UPSTREAM_KEY } from '../support/proxy-harness.js';
import { runCli, startServe, stopProcess, type Build } from '../support/spawn-cli.js';

/**
 * Issue #21 on a shared PostgreSQL database, through the built artefacts: `prices update`
 * run from the CLI reaches two `serve` replicas on the database within the poll interval;
 * `prices show` and `prices history` read the snapshot there; `prices reprice` moves the
 * calls, rollups (report), entity rows (--unit-economics) and both replicas' budget spend.
 */

const TOKEN = 'pg-prices-admin-token';
/** gpt-4o-mini per call at the pinned price ($0.15 / $0.60 per 1M) and at the snapshot's ($0.30 in). */
const OLD_MINI = PROMPT * 150 + COMPLETION * 600;
const NEW_MINI = PROMPT * 300 + COMPLETION * 600;
/** After the config price change of the reprice case: $3 / $5 per 1M. */
const CONFIG_MINI = PROMPT * 3000 + COMPLETION * 5000;

type Replica = Awaited<ReturnType<typeof startServe>>;

describe.each<Build>(['binary', 'node'])('prices on PostgreSQL (%s)', (build) => {
  const adminUrl = inject('pgUrl');
  const made: string[] = [];
  let dir: string;
  let fake: FakeUpstream;
  let files: Awaited<ReturnType<typeof serveFiles>>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), `tokometer-pgprices-${build}-`));
    fake = await startEchoUpstream();
    const data = await publishedCatalog();
    (provider(data, 'openai').models.find((m) => m.id === 'gpt-4o-mini')!.prices as Record<string, number>).input_mtok = 0.3;
    files = await serveFiles({ '/data.json': JSON.stringify(data) });
  });
  afterAll(async () => {
    await fake.stop();
    await files.stop();
    for (const u of made) await dropTestDatabase(adminUrl, u);
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh database with its config file (`extra` YAML lines appended) and a key `app`; returns the key's secret. */
  async function setUp(label: string, extra: string[] = []) {
    const url = await createTestDatabase(adminUrl, `${label}_${build}`);
    made.push(url);
    const config = path.join(dir, `${label}.yaml`);
    const write = (lines: string[]) =>
      writeFileSync(
        config,
        [`db: ${url}`, 'providers:', `  openai: { base_url: "${fake.url}", api_key: "${UPSTREAM_KEY}" }`, `admin: { token: "${TOKEN}" }`, 'store: { flush_interval_ms: 5 }', ...lines, ''].join('\n'),
      );
    write(['prices: { poll_interval: 1s }', ...extra]);
    const cli = (...args: string[]) => runCli(build, [...args, '--config', config], { cwd: dir });
    const created = await cli('keys', 'create', 'app', '--budget', '50');
    expect(created.code, created.stderr).toBe(0);
    const secret = /mk_[0-9A-Za-z]{32}/.exec(created.stdout)![0];
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const replica = (n: number) => startServe(build, ['--config', config, '--port', '0', '--spill', path.join(dir, `${label}-${n}.spill`)], { cwd: dir });
    return { url, config, write, cli, secret, sql, replica };
  }

  /**
   * The newest call of `model` (by time) once it is one not in `seen`, which it joins: its
   * id, cost and price source. (Ids do not follow time across replicas: each connection
   * takes its own block of the id sequence.)
   */
  const nextCall = (sql: postgres.Sql, model: string, seen: Set<number>) =>
    waitFor(async () => {
      const [row] = await sql<{ id: number; cost_nano: number | null; price_source: string | null }[]>`
        SELECT id::int AS id, cost_nano::int AS cost_nano, price_source FROM calls WHERE model = ${model} ORDER BY ts DESC, id DESC LIMIT 1`;
      if (row === undefined || seen.has(row.id)) return undefined;
      seen.add(row.id);
      return row;
    }, 10_000);

  const budgetsOf = async (replica: Replica) => {
    const res = await fetch(`${replica.url}/admin/budgets`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const list = ((await res.json()) as { budgets: Array<{ name: string; tag_value: string | null; spent_usd: number }> }).budgets;
    return Object.fromEntries(list.map((b) => [`${b.name}${b.tag_value ? `:${b.tag_value}` : ''}`, b.spent_usd]));
  };

  it('prices update through the CLI reaches both serve replicas on the database within the poll interval; show and history read the snapshot there', async () => {
    const { cli, secret, sql, replica } = await setUp('update');
    const replicas = [await replica(1), await replica(2)];
    try {
      const seen = new Set<number>();
      const before = [];
      for (const r of replicas) {
        expect(await chatCall(r.url, secret, 'gpt-4o-mini')).toBe(200);
        before.push(await nextCall(sql, 'gpt-4o-mini', seen));
      }
      expect(before.map((c) => [c.cost_nano, c.price_source])).toEqual([[OLD_MINI, 'genai-prices@0.1.8'], [OLD_MINI, 'genai-prices@0.1.8']]);

      const update = await cli('prices', 'update', '--from', `${files.url}/data.json`);
      expect(update.code, update.stderr).toBe(0);
      expect(update.stdout).toContain('openai/gpt-4o-mini input_mtok: 0.15 → 0.3');
      const source = /stored snapshot #1 as (snapshot:\d{4}-\d{2}-\d{2}:[0-9a-f]{8})/.exec(update.stdout)![1]!;
      const stored = Date.now();

      // Each replica, on its own poll (1 s): a new call through it is priced from the snapshot.
      for (const r of replicas) {
        const priced = await waitFor(async () => {
          expect(await chatCall(r.url, secret, 'gpt-4o-mini')).toBe(200);
          const row = await nextCall(sql, 'gpt-4o-mini', seen);
          return row.price_source === source ? row : undefined;
        }, 15_000, 200);
        expect(priced.cost_nano).toBe(NEW_MINI);
        expect(r.output().stderr).toMatch(/prices: using a new catalog snapshot for new calls[^\n]*"id":1/);
      }
      expect(Date.now() - stored).toBeLessThan(15_000);
      // Calls before the update keep their costs.
      const kept = await sql<{ cost_nano: number }[]>`SELECT cost_nano::int AS cost_nano FROM calls WHERE id IN (${before[0]!.id}, ${before[1]!.id})`;
      expect(kept.map((r) => r.cost_nano)).toEqual([OLD_MINI, OLD_MINI]);

      const show = await cli('prices', 'show', 'gpt-4o-mini', '--provider', 'openai');
      expect(show.code, show.stderr).toBe(0);
      expect(show.stdout).toContain(`source            ${source}`);
      expect(show.stdout).toMatch(/input\s+\$0\.30/);
      const history = await cli('prices', 'history');
      expect(history.code, history.stderr).toBe(0);
      expect(history.stdout).toMatch(new RegExp(`^#1 {2}${source} .* from ${files.url}/data\\.json$`, 'm'));
      expect(history.stdout).toContain('Reprice runs: none.');
    } finally {
      for (const r of replicas) expect(await stopProcess(r.child)).toBe(0);
      await sql.end();
    }
  });

  it('prices reprice moves calls, rollups (report), entity rows (--unit-economics) and both replicas\' budget spend; --dry-run changes nothing', async () => {
    const budgets = ['budgets:', '  - { name: per-user, per: user_id, limit_usd: 100, period: month }'];
    const { cli, secret, sql, replica, write } = await setUp('reprice', budgets);
    const first = await replica(1);
    let second: Replica | undefined;
    try {
      const users = [['u1', 'free'], ['u1', 'free'], ['u1', 'free'], ['u2', 'pro'], ['u2', 'pro']] as const;
      for (const [user, tier] of users) expect(await chatCall(first.url, secret, 'gpt-4o-mini', { user_id: user, user_tier: tier })).toBe(200);
      await waitFor(async () => ((await sql`SELECT COUNT(*)::int AS n FROM calls`)[0]!.n === users.length ? true : undefined), 10_000);
      // The second replica starts after the calls: its budgets are seeded with the same spend.
      second = await replica(2);
      const old = { app: (5 * OLD_MINI) / 1e9, 'per-user:u1': (3 * OLD_MINI) / 1e9, 'per-user:u2': (2 * OLD_MINI) / 1e9 };
      expect(await budgetsOf(first)).toEqual(old);
      expect(await budgetsOf(second)).toEqual(old);

      write(['prices: { poll_interval: 1s, gpt-4o-mini: { input: 3, output: 5 } }', ...budgets]);
      const dry = await cli('prices', 'reprice', '--since', '1h', '--dry-run');
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain('dry run: nothing changed');
      expect((await sql`SELECT SUM(cost_nano)::int AS cost FROM calls`)[0]!.cost).toBe(5 * OLD_MINI);
      expect((await sql`SELECT COUNT(*)::int AS n FROM reprice_runs`)[0]!.n).toBe(0);

      const run = await cli('prices', 'reprice', '--since', '1h');
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('repriced 5 of 5 calls (run #1; prices: config, overrides, genai-prices@0.1.8');
      expect(await sql`SELECT SUM(cost_nano)::int AS cost, COUNT(*) FILTER (WHERE price_source = 'config')::int AS config FROM calls`).toEqual([{ cost: 5 * CONFIG_MINI, config: 5 }]);
      expect(await sql`SELECT SUM(r.cost_nano)::int AS cost, SUM(r.priced)::int AS priced FROM rollups r JOIN rollup_dims d ON d.id = r.dim_id WHERE d.tag_key = ''`).toEqual([{ cost: 5 * CONFIG_MINI, priced: 5 }]);
      expect(await sql`SELECT SUM(cost_nano)::int AS cost FROM entity_months WHERE key = 'user_id' AND seg_key = ''`).toEqual([{ cost: 5 * CONFIG_MINI }]);

      const report = await cli('report', '--since', 'this-month', '--format', 'json', '--unit-economics');
      expect(report.code, report.stderr).toBe(0);
      const doc = JSON.parse(report.stdout) as { total: { cost_usd: number }; unit_economics: { tiers: Array<{ tier: string; cost_usd: number }> } };
      expect(doc.total.cost_usd).toBe((5 * CONFIG_MINI) / 1e9);
      expect(Object.fromEntries(doc.unit_economics.tiers.map((t) => [t.tier, t.cost_usd]))).toEqual({ free: (3 * CONFIG_MINI) / 1e9, pro: (2 * CONFIG_MINI) / 1e9 });

      const now = { app: (5 * CONFIG_MINI) / 1e9, 'per-user:u1': (3 * CONFIG_MINI) / 1e9, 'per-user:u2': (2 * CONFIG_MINI) / 1e9 };
      for (const r of [first, second]) await waitFor(async () => (JSON.stringify(await budgetsOf(r)) === JSON.stringify(now) ? true : undefined), 15_000, 200);
      const history = await cli('prices', 'history');
      expect(history.stdout).toMatch(/ {2}5 of 5 calls changed: \$0\.00105 → \$0\.0175 \(\+\$0\.01645\)\n {4}openai\/gpt-4o-mini: 5 of 5 calls/);
    } finally {
      expect(await stopProcess(first.child)).toBe(0);
      if (second) expect(await stopProcess(second.child)).toBe(0);
      await sql.end();
    }
  });
});
