import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPSTREAM_KEY } from '../budget/support.js';
import { chatCall, COMPLETION, PROMPT, provider, publishedCatalog, readDb, serveFiles, startEchoUpstream, waitFor } from '../prices/support.js';
import type { FakeUpstream } from '../support/fake-upstream.js';
import { runCli, stopProcess, type Build } from '../support/spawn-cli.js';
import { cliWorkspace } from './cli-workspace.js';

/**
 * Issue #21: a catalog served on loopback in the published format, with gpt-4o-mini's
 * input price changed ($0.15 → $0.30) and a model added, reaches a running `serve`
 * through `prices update --from http://…` (another process, same database) within the
 * poll interval; calls before the update keep their costs. Catalogs that drop half the
 * models or set a price to zero are refused with exit 2 and change nothing.
 */

const ADDED = 'tokometer-e2e-model';
/** Old and new gpt-4o-mini cost of one call (PROMPT in, COMPLETION out), nano-USD. */
const OLD_MINI = PROMPT * 150 + COMPLETION * 600;
const NEW_MINI = PROMPT * 300 + COMPLETION * 600;
/** The added model: $2 in, $4 out. */
const ADDED_COST = PROMPT * 2000 + COMPLETION * 4000;

describe.each<Build>(['node', 'binary'])('prices update with the %s build', (build) => {
  let fake: FakeUpstream;
  let files: Awaited<ReturnType<typeof serveFiles>>;
  const { db, config, cli, createKey, startServe } = cliWorkspace(build);
  let secret = '';

  beforeAll(async () => {
    fake = await startEchoUpstream();
    const data = await publishedCatalog();
    const openai = provider(data, 'openai');
    const mini = openai.models.find((m) => m.id === 'gpt-4o-mini')!;
    (mini.prices as Record<string, number>).input_mtok = 0.3;
    openai.models.unshift({ id: ADDED, name: 'E2E model', match: { equals: ADDED }, prices: { input_mtok: 2, output_mtok: 4 } });
    const half = JSON.parse(JSON.stringify(data)) as typeof data;
    for (const p of half) p.models = p.models.filter((_, i) => i % 2 === 0);
    const zero = JSON.parse(JSON.stringify(data)) as typeof data;
    (provider(zero, 'anthropic').models.find((m) => m.id === 'claude-haiku-4-5')!.prices as Record<string, number>).output_mtok = 0;
    const withMini = (input: number) => {
      const copy = JSON.parse(JSON.stringify(data)) as typeof data;
      (provider(copy, 'openai').models.find((m) => m.id === 'gpt-4o-mini')!.prices as Record<string, number>).input_mtok = input;
      return JSON.stringify(copy);
    };
    files = await serveFiles({
      '/data.json': JSON.stringify(data),
      '/half.json': JSON.stringify(half),
      '/zero.json': JSON.stringify(zero),
      '/broken.json': '[{"id": "openai"',
      '/auto.json': withMini(0.4),
      '/hup.json': withMini(0.5),
    });
    writeFileSync(config, `providers:\n  openai: { base_url: "${fake.url}", api_key: "${UPSTREAM_KEY}" }\nstore: { flush_interval_ms: 5 }\nprices: { poll_interval: 1s }\n`);
    secret = await createKey('app');
  });
  afterAll(async () => {
    await fake.stop();
    await files.stop();
    db.cleanup();
  });

  /** Cost and price source of the newest call of `model`, once it is written. */
  const lastCall = (model: string, afterId: number) =>
    waitFor(() => {
      const d = readDb(db.dbPath);
      try {
        return d.prepare('SELECT id, cost_nano, price_source FROM calls WHERE model = ? AND id > ? ORDER BY id DESC LIMIT 1').get<{ id: number; cost_nano: number | null; price_source: string | null }>(model, afterId);
      } finally {
        d.close();
      }
    }, 10_000);

  it('a running serve prices new calls from the new snapshot within the poll interval; old calls keep their costs', async () => {
    const serve = await startServe();
    try {
      expect(await chatCall(serve.url, secret, 'gpt-4o-mini')).toBe(200);
      const before = await lastCall('gpt-4o-mini', 0);
      expect(before).toMatchObject({ cost_nano: OLD_MINI, price_source: 'genai-prices@0.1.8' });
      expect(await chatCall(serve.url, secret, ADDED)).toBe(200);
      const unpriced = await lastCall(ADDED, 0);
      expect(unpriced).toMatchObject({ cost_nano: null, price_source: null });

      const update = await cli('prices', 'update', '--from', `${files.url}/data.json`);
      expect(update.code, update.stderr).toBe(0);
      expect(update.stdout).toContain(`models added (1):\n  openai/${ADDED}`);
      expect(update.stdout).toContain('openai/gpt-4o-mini input_mtok: 0.15 → 0.3');
      const source = /stored snapshot #1 as (snapshot:\d{4}-\d{2}-\d{2}:[0-9a-f]{8})/.exec(update.stdout)![1]!;
      expect(files.hits['/data.json']).toBe(1);

      // New calls, one at a time, until one is priced from the snapshot: well within 60 s.
      const started = Date.now();
      let seen = before.id;
      const repriced = await waitFor(async () => {
        expect(await chatCall(serve.url, secret, 'gpt-4o-mini')).toBe(200);
        const row = await lastCall('gpt-4o-mini', seen);
        seen = row.id;
        return row.price_source === source ? row : undefined;
      }, 60_000, 200);
      expect(Date.now() - started).toBeLessThan(60_000);
      expect(repriced.cost_nano).toBe(NEW_MINI);
      expect(await chatCall(serve.url, secret, ADDED)).toBe(200);
      expect(await lastCall(ADDED, unpriced.id)).toMatchObject({ cost_nano: ADDED_COST, price_source: source });

      // Calls before the update keep their costs.
      const d = readDb(db.dbPath);
      try {
        expect(d.prepare('SELECT cost_nano, price_source FROM calls WHERE id = ?').get(before.id)).toEqual({ cost_nano: OLD_MINI, price_source: 'genai-prices@0.1.8' });
      } finally {
        d.close();
      }
      const show = await cli('prices', 'show', 'gpt-4o-mini', '--provider', 'openai');
      expect(show.stdout).toContain(`source            ${source}`);
      expect(show.stdout).toMatch(/input\s+\$0\.30/);
      expect((await cli('prices', 'show', ADDED, '--provider', 'openai')).stdout).toContain(`source            ${source}`);
    } finally {
      expect(await stopProcess(serve.child)).toBe(0);
    }
  });

  it('auto_update fetches the catalog itself; SIGHUP picks up a snapshot stored by another process at once', async () => {
    // Polls are an hour apart here: only the start-up fetch and SIGHUP can bring the new prices.
    const hourly = path.join(db.dir, 'hourly.yaml');
    writeFileSync(hourly, `providers:\n  openai: { base_url: "${fake.url}", api_key: "${UPSTREAM_KEY}" }\nstore: { flush_interval_ms: 5 }\nprices: { poll_interval: 1h, auto_update: 1h, source: "${files.url}/auto.json" }\n`);
    const serve = await startServe(hourly);
    try {
      await waitFor(() => (/auto update stored a new catalog snapshot/.test(serve.output().stderr) ? true : undefined), 10_000);
      expect(files.hits['/auto.json']).toBe(1);
      const first = await lastCall('gpt-4o-mini', 0);
      expect(await chatCall(serve.url, secret, 'gpt-4o-mini')).toBe(200);
      expect((await lastCall('gpt-4o-mini', first.id)).cost_nano).toBe(PROMPT * 400 + COMPLETION * 600);

      const update = await runCli(build, ['prices', 'update', '--from', `${files.url}/hup.json`, '--db', db.dbPath, '--config', hourly], { cwd: db.dir });
      expect(update.code, update.stderr).toBe(0);
      serve.child.kill('SIGHUP');
      await waitFor(() => (/prices: using a new catalog snapshot[^\n]*"id":3/.test(serve.output().stderr) ? true : undefined), 10_000);
      const before = await lastCall('gpt-4o-mini', 0);
      expect(await chatCall(serve.url, secret, 'gpt-4o-mini')).toBe(200);
      expect((await lastCall('gpt-4o-mini', before.id)).cost_nano).toBe(PROMPT * 500 + COMPLETION * 600);
    } finally {
      expect(await stopProcess(serve.child)).toBe(0);
    }
  });

  it('refuses a catalog that drops half the models, sets a price to zero or does not parse: exit 2, nothing stored', async () => {
    const count = () => {
      const d = readDb(db.dbPath);
      try {
        return d.prepare('SELECT COUNT(*) AS n FROM price_snapshots').get<{ n: number }>()!.n;
      } finally {
        d.close();
      }
    };
    const stored = count();
    const half = await cli('prices', 'update', '--from', `${files.url}/half.json`);
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/refused .*half\.json; nothing changed/);
    expect(half.stderr).toMatch(/ - \d+ of the \d+ models of the pinned catalog are missing\n/);
    expect(half.stderr).toMatch(/models of 'anthropic' are missing/);
    const zero = await cli('prices', 'update', '--from', `${files.url}/zero.json`);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('anthropic/claude-haiku-4-5 output_mtok: token price goes to zero');
    const broken = await cli('prices', 'update', '--from', `${files.url}/broken.json`);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/not JSON/);
    const missing = await cli('prices', 'update', '--from', `${files.url}/nope.json`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/HTTP 404/);
    expect(count()).toBe(stored);
    const history = await cli('prices', 'history');
    expect(history.stdout.match(/^#\d+ {2}snapshot:/gm)?.length).toBe(stored);
  });
});
