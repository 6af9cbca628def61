import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { edgesFor } from '../../src/edges.js';

/**
 * `keys list --json` is for scripts: it prints a key as the admin API does (GET /admin/keys,
 * admin/key-ops.ts keyJson), in USD and snake_case with ISO times, never the hash, the
 * internal id or nano-USD field names.
 */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tokometer-keys-json-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const ctx: CliContext = {
    edges: edgesFor('node'),
    env: {},
    cwd: dir,
    clock: () => Date.parse('2026-12-01T00:00:00Z'),
    out: (t) => void (out += t),
    err: () => {},
    isTTY: false,
  };
  return { code: await runCli(args, ctx), out };
}

describe('keys list --json', () => {
  it("prints each key in the admin API's format", async () => {
    const db = path.join(dir, 'k.db');
    expect((await cli(['keys', 'create', 'acme', '--budget', '12.5', '--period', 'week', '--tag', 'tenant_id=t_1', '--model', 'gpt-4o-mini', '--db', db])).code).toBe(0);
    const res = await cli(['keys', 'list', '--json', '--db', db]);
    expect(res.code).toBe(0);
    const [key] = JSON.parse(res.out) as Array<Record<string, unknown>>;
    expect(key).toEqual({
      name: 'acme',
      prefix: expect.stringMatching(/^mk_/),
      tags: { tenant_id: 't_1' },
      providers: [],
      models: ['gpt-4o-mini'],
      budget: { limit_usd: 12.5, period: 'week', alert_at: [0.5, 0.8, 1], soft: false },
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      revoked_at: null,
    });
  });
});
