import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { cliFolder } from './cli-folder.js';

/**
 * `keys set` undoes what `keys create` / `keys set` set, as the admin API's PATCH can:
 * `--no-soft` makes a soft budget hard again, `--any-model` / `--any-provider` clear an
 * allow-list (PATCH with `models: []` / `providers: []`).
 */

const { dir, cli } = cliFolder('tokometer-keys-set-');
let db: string;
beforeEach(() => {
  db = path.join(dir(), 'k.db');
});


interface ListedKey {
  name: string;
  providers: string[];
  models: string[];
  budget: { limit_usd: number; period: string; soft: boolean } | null;
}
const storedKey = async (name: string) => ((JSON.parse((await cli(['keys', 'list', '--json', '--db', db])).out) as ListedKey[]).find((k) => k.name === name))!;

describe('keys set --no-soft', () => {
  it('makes a soft budget hard again, keeping its limit and period', async () => {
    expect((await cli(['keys', 'create', 'k', '--budget', '10', '--period', 'day', '--soft', '--db', db])).code).toBe(0);
    expect((await storedKey('k')).budget).toMatchObject({ limit_usd: 10, period: 'day', soft: true });

    const res = await cli(['keys', 'set', 'k', '--no-soft', '--db', db]);
    expect(res.err).toBe('');
    expect(res.code).toBe(0);
    expect(res.out).toContain('budget $10.00/day  ');
    expect(res.out).not.toContain('(soft)');
    expect((await storedKey('k')).budget).toMatchObject({ limit_usd: 10, period: 'day', soft: false });
  });

  it('needs a budget, as --soft does (exit 2 on a key without one)', async () => {
    expect((await cli(['keys', 'create', 'k', '--db', db])).code).toBe(0);
    const res = await cli(['keys', 'set', 'k', '--no-soft', '--db', db]);
    expect(res.code).toBe(2);
    expect(res.err).toContain('--soft need --budget');
  });
});

describe('keys set --any-model / --any-provider', () => {
  it('clear the model and the provider allow-list, each on its own', async () => {
    expect((await cli(['keys', 'create', 'k', '--model', 'gpt-4o-mini', '--model', 'gpt-4o', '--provider', 'openai', '--db', db])).code).toBe(0);

    const models = await cli(['keys', 'set', 'k', '--any-model', '--db', db]);
    expect(models.code).toBe(0);
    expect(models.out).not.toContain('models ');
    expect(await storedKey('k')).toMatchObject({ models: [], providers: ['openai'] });

    const providers = await cli(['keys', 'set', 'k', '--any-provider', '--db', db]);
    expect(providers.code).toBe(0);
    expect(await storedKey('k')).toMatchObject({ models: [], providers: [] });

    const history = await cli(['keys', 'history', 'k', '--json', '--db', db]);
    const changes = (JSON.parse(history.out) as Array<{ action: string; details: { changes?: Record<string, unknown> } }>).filter((e) => e.action === 'set').map((e) => e.details.changes);
    expect(changes).toEqual([{ models: { from: ['gpt-4o-mini', 'gpt-4o'], to: [] } }, { providers: { from: ['openai'], to: [] } }]);
  });

  it('refuses --any-model with --model (exit 2), changing nothing', async () => {
    expect((await cli(['keys', 'create', 'k', '--model', 'gpt-4o-mini', '--db', db])).code).toBe(0);
    const res = await cli(['keys', 'set', 'k', '--any-model', '--model', 'gpt-4o', '--db', db]);
    expect(res.code).toBe(2);
    expect(res.err).toContain('--any-model and --model');
    expect((await storedKey('k')).models).toEqual(['gpt-4o-mini']);
  });
});

describe('keys set --help', () => {
  it('lists the flags that undo a setting', async () => {
    const res = await cli(['keys', 'set', '--help']);
    expect(res.out).toMatch(/--no-soft\s+\S/);
    expect(res.out).toMatch(/--any-model\s+\S/);
    expect(res.out).toMatch(/--any-provider\s+\S/);
  });
});
