import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { createStore } from '../../src/store/sqlite-store.js';
import { FakeAdminApi } from '../support/fake-admin-api.js';
import { cli } from './helpers.js';

/** `reconcile`'s usage errors, its read-only promise about databases, and admin API failures. */

const KEY = 'sk-admin-cli-test-0000';

describe('tokometer reconcile: usage and failures', () => {
  let dir: string;
  let dbPath: string;
  let admin: FakeAdminApi;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-reconcile-cli-'));
    dbPath = path.join(dir, 'calls.db');
    createStore(openDriver(dbPath)).close();
    admin = await new FakeAdminApi({ family: 'openai', key: KEY, usage: [], faults: { '/v1/organization/costs': { status: 400 } } }).start();
    writeFileSync(
      path.join(dir, 'tokometer.yaml'),
      `providers:\n  openai: { base_url: "${admin.url}/v1" }\n  gemini: { api_key: x }\n  openai-team: { kind: openai, base_url: "${admin.url}/v1" }\n`,
    );
  });
  afterAll(async () => {
    await admin.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = { OPENAI_ADMIN_KEY: KEY };
  const run = (args: string[], now?: number) => cli(['reconcile', ...args], { env, cwd: dir, ...(now ? { now } : {}) });

  it('never creates a database: a missing one is exit 2 naming it', async () => {
    const missing = path.join(dir, 'nope.db');
    const r = await run(['--provider', 'openai', '--db', missing]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`no database at ${missing}`);
    expect(existsSync(missing)).toBe(false);
  });

  it('bad flags are exit 2 with what to use instead', async () => {
    expect((await run(['--db', dbPath])).err).toContain("required option '--provider <name>' not specified");
    const cases: Array<[string[], string]> = [
      [['--provider', 'gemini'], '--provider "gemini" has no usage and cost API that reconcile reads'],
      [['--provider', 'groq'], '--provider "groq" has no usage and cost API that reconcile reads'],
      [['--provider', 'nosuch'], '--provider "nosuch" is not a configured or built-in provider'],
      [['--provider', 'openai-team'], 'no admin key for openai-team: set providers.openai-team.admin_key to an organization admin key'],
      [['--provider', 'openai', '--by', 'key'], '--by "key" is not supported; use day, model or day,model'],
      [['--provider', 'openai', '--format', 'xml'], '--format "xml" is not supported'],
      [['--provider', 'openai', '--tolerance', 'lots'], '--tolerance "lots" must be'],
    ];
    for (const [args, message] of cases) {
      const r = await run([...args, '--db', dbPath]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toContain(message);
    }
  });

  it('an admin API error is exit 1 naming the request', async () => {
    const r = await run(['--provider', 'openai', '--db', dbPath, '--since', '2026-11-01', '--until', '2026-11-02']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^tokometer: OpenAI admin API: GET \/v1\/organization\/costs\?start_time=1793491200&end_time=1793664000&bucket_width=1d&limit=180&group_by\[\]=line_item answered 400 Bad Request: bad request\n$/);
  });

  it('ends at the last complete UTC day unless --until says otherwise', async () => {
    const at10 = Date.parse('2026-12-01T10:00:00Z');
    const r = await run(['--provider', 'openai', '--db', dbPath, '--format', 'json'], at10);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect([doc.since, doc.until]).toEqual(['2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z']);
    expect(doc.notes).toEqual([]);
    const today = JSON.parse((await run(['--provider', 'openai', '--db', dbPath, '--since', 'today', '--format', 'json'], at10)).out);
    expect([today.since, today.until]).toEqual(['2026-12-01T00:00:00.000Z', '2026-12-02T00:00:00.000Z']);
  });

  it('with nothing on either side it matches (exit 0) and notes a window that reaches today', async () => {
    const r = await run(['--provider', 'openai', '--db', dbPath, '--since', '2d', '--until', 'now', '--format', 'json'], Date.parse('2026-12-01T10:00:00Z'));
    expect(r.code).toBe(0);
    expect(admin.requests.at(-1)!.query.get('end_time')).toBe(String(Date.parse('2026-12-02T00:00:00Z') / 1000));
    const doc = JSON.parse(r.out);
    expect(doc.rows).toEqual([]);
    expect(doc.explained_share).toBe(1);
    expect(doc.notes).toEqual(["The window includes the current UTC day (2026-12-01): the provider's reports can lag behind the meter for it."]);
    const table = await run(['--provider', 'openai', '--db', dbPath, '--since', '2d', '--until', 'now']);
    expect(table.out).toContain('Nothing to compare: neither the meter nor the provider has usage in this window.');
  });
});
