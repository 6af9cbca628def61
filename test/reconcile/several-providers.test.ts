import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { FakeAdminApi } from '../support/fake-admin-api.js';
import { testStore } from '../support/store.js';
import { record } from '../audit/helpers.js';
import { cli } from './helpers.js';

/**
 * Two tokometer providers billed to one OpenAI organization (`openai` and a configured
 * `openai-batch` of kind openai, same base URL): the organization's report counts the
 * traffic of both, so reconcile has to compare it with the calls of both. On 2026-11-02
 * the meter saw 4 gpt-4.1 calls through `openai` and 12 through `openai-batch`, each
 * 20,000 input and 2,000 output tokens ($0.04 + $0.016 = $0.056); OpenAI reports the 16
 * requests, 320,000 input and 32,000 output tokens, $0.896.
 */

const KEY = 'sk-admin-several-providers-0000';
const MODEL = 'gpt-4.1-2025-04-14';
const NOON = Date.parse('2026-11-02T12:00:00Z');

describe('tokometer reconcile over several providers of one organization', () => {
  let dir: string;
  let dbPath: string;
  let admin: FakeAdminApi;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-reconcile-several-'));
    dbPath = path.join(dir, 'calls.db');
    const store = testStore(openDriver(dbPath));
    const call = (provider: string, i: number) => record({ provider, model: MODEL, at: NOON + i * 1000, input: 20_000, output: 2_000 });
    store.insertCalls([...Array.from({ length: 4 }, (_, i) => call('openai', i)), ...Array.from({ length: 12 }, (_, i) => call('openai-batch', 10 + i))]);
    await store.close();
    admin = await new FakeAdminApi({
      family: 'openai',
      key: KEY,
      usage: [{ day: '2026-11-02', model: MODEL, requests: 16, uncached: 320_000, output: 32_000, cost: { input: 0.64, output: 0.256 } }],
    }).start();
    writeFileSync(
      path.join(dir, 'tokometer.yaml'),
      [
        'providers:',
        `  openai: { base_url: "${admin.url}/v1" }`,
        `  openai-batch: { kind: openai, base_url: "${admin.url}/v1" }`,
        '  openai-eu: { kind: openai, base_url: "https://eu.api.openai.com/v1" }',
        `  openai-org2: { kind: openai, base_url: "${admin.url}/v1", admin_key: sk-admin-other-org }`,
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await admin.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (providers: string[]) =>
    cli(['reconcile', ...providers.flatMap((p) => ['--provider', p]), '--since', '2026-11-02', '--until', '2026-11-02', '--db', dbPath, '--format', 'json'], { env: { OPENAI_ADMIN_KEY: KEY }, cwd: dir });

  it('one provider alone shows the other one\'s 12 calls as unmetered traffic', async () => {
    const r = await run(['openai']);
    expect(r.code).toBe(3);
    const row = JSON.parse(r.out).rows[0];
    expect([row.status, row.meter.calls, row.unmetered_requests]).toEqual(['unmetered_traffic', 4, 12]);
    expect(row.diff.cost_usd).toBeCloseTo(0.672, 9);
  });

  it('--provider given twice, or as a comma list, compares the 16 calls of both with the bill: a match, exit 0', async () => {
    for (const providers of [['openai', 'openai-batch'], ['openai,openai-batch']]) {
      const r = await run(providers);
      expect(r.err, providers.join(' ')).toBe('');
      expect(r.code, providers.join(' ')).toBe(0);
      const doc = JSON.parse(r.out);
      expect(doc.provider).toBe('openai,openai-batch');
      expect(doc.rows.map((x: { status: string; meter: { calls: number; cost_usd: number } }) => [x.status, x.meter.calls, x.meter.cost_usd])).toEqual([['match', 16, 0.896]]);
    }
  });

  it('refuses names that cannot share one organization\'s report (exit 2, naming why)', async () => {
    const cases: Array<[string[], string]> = [
      [['openai,anthropic'], '--provider "anthropic" is not billed through OpenAI\'s usage and cost API like "openai"'],
      [['openai', 'openai-eu'], '--provider "openai-eu" has base_url https://eu.api.openai.com/v1'],
      [['openai', 'openai-org2'], 'providers.openai-org2.admin_key differs from the admin key of "openai" (OPENAI_ADMIN_KEY)'],
      [['openai,nosuch'], '--provider "nosuch" is not a configured or built-in provider'],
      [['openai,'], '--provider "openai," names an empty provider'],
    ];
    for (const [providers, message] of cases) {
      const r = await run(providers);
      expect(r.code, providers.join(' ')).toBe(2);
      expect(r.err).toContain(message);
    }
  });
});
