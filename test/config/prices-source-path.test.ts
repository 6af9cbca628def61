import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { loadConfig } from '../../src/config/load.js';
import { edgesFor } from '../../src/edges.js';
import { publishedCatalog } from '../prices/support.js';
import { configDir } from './config-files.js';

/**
 * A relative `prices.source` is a file beside the config, as `db`, `store.spill_path` and
 * the `tls` files are: resolved against the config file's folder, whatever folder serve,
 * `config check` or `prices update` run from. A URL stays as written.
 */

const CONFIG = 'prices:\n  auto_update: 24h\n  source: ./prices.json\n';

async function cli(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const ctx: CliContext = { edges: edgesFor('node'), env: {}, cwd, clock: () => Date.parse('2026-12-01T00:00:00Z'), out: (t) => void (out += t), err: (t) => void (err += t), isTTY: false };
  return { code: await runCli(args, ctx), out, err };
}

describe('prices.source relative to the config file', () => {
  it('loadConfig makes a relative source absolute against the config file folder; a URL stays', () => {
    const dir = configDir({ 'conf/tokometer.yaml': CONFIG, 'conf/url.yaml': 'prices: { source: "https://prices.example/data.json" }\n' });
    expect(loadConfig({ path: 'conf/tokometer.yaml', env: {}, cwd: dir }).config.price_updates.source).toBe(path.join(dir, 'conf', 'prices.json'));
    expect(loadConfig({ path: 'conf/url.yaml', env: {}, cwd: dir }).config.price_updates.source).toBe('https://prices.example/data.json');
  });

  it('config check run from another folder names the file beside the config', async () => {
    const dir = configDir({ 'conf/tokometer.yaml': CONFIG });
    const res = await cli(['config', 'check', '--config', path.join(dir, 'conf', 'tokometer.yaml')], configDir());
    expect(res.code).toBe(0);
    expect(res.out).toContain(`serve fetches every 24h from ${path.join(dir, 'conf', 'prices.json')};`);
  });

  it('prices update run from another folder reads the file beside the config', async () => {
    const dir = configDir({ 'conf/tokometer.yaml': CONFIG, 'conf/prices.json': JSON.stringify(await publishedCatalog()) });
    const elsewhere = configDir();
    const res = await cli(['prices', 'update', '--dry-run', '--config', path.join(dir, 'conf', 'tokometer.yaml'), '--db', path.join(elsewhere, 'p.db')], elsewhere);
    expect(res.err).toBe('');
    expect(res.code).toBe(0);
    expect(res.out).toContain('dry run: nothing stored');
  });
});
