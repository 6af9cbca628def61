import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { edgesFor } from '../../src/edges.js';

/**
 * A trial: keys.app.budget.limit_usd edited from 1 to 0.05 under a running serve, then
 * SIGHUP. Serve said nothing and kept enforcing $1, while `keys list` showed
 * `$0.09 of $0.05/day (config) (189 %) blocked`; after a restart `keys history` held no
 * trace of the config's change. Serve now names the change on SIGHUP, `keys list` says the
 * values marked (config) are not yet enforced, and a restart records the change.
 */
const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-config-drift-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const configFile = path.join(dir, 'tokometer.yaml');
const yaml = (keyLimit: number, feature: string, tagLimit: number) => `db: ./t.db
timezone: UTC
keys:
  app:
    budget: { limit_usd: ${keyLimit}, period: day, alert_at: [0.5, 1.0] }
    tags: { feature: ${feature} }
budgets:
  - name: free-daily
    match: { user_tier: free }
    per: user_id
    limit_usd: ${tagLimit}
    period: day
`;

function context(onOut: (text: string) => void = () => {}): CliContext & { output: () => string; errors: () => string } {
  let out = '';
  let err = '';
  return {
    edges: edgesFor('node'),
    env: {},
    cwd: dir,
    clock: () => Date.now(),
    out: (text) => {
      out += text;
      onOut(text);
    },
    err: (text) => void (err += text),
    isTTY: false,
    output: () => out,
    errors: () => err,
  };
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const ctx = context();
  const code = await runCli(args, ctx);
  return { code, out: ctx.output(), err: ctx.errors() };
}

/** Serve's log messages (stderr, one JSON line each) at `level`. */
const logged = (err: string, level: string) =>
  err
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: string; msg: string })
    .filter((l) => l.level === level)
    .map((l) => l.msg);

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts serve in-process; `during` runs once it listens, then serve is stopped. Returns serve's stderr. */
async function serving(during: (err: () => string) => Promise<void>): Promise<string> {
  let ready: () => void = () => {};
  const listening = new Promise<void>((r) => (ready = r));
  const ctx = context((text) => {
    if (text.startsWith('Point an SDK at')) ready();
  });
  const done = runCli(['serve', '--port', '0'], ctx);
  await listening;
  try {
    await during(ctx.errors);
  } finally {
    process.emit('SIGTERM', 'SIGTERM');
  }
  expect(await done).toBe(0);
  return ctx.errors();
}

describe('a config edited under a running serve', () => {
  it('SIGHUP names what changed and that it needs a restart; keys list says the edited values are not yet enforced; the restart records the change in keys history', async () => {
    writeFileSync(configFile, yaml(1, 'app', 0.01));
    expect((await cli(['keys', 'create', 'app'])).code).toBe(0);

    const first = await serving(async (err) => {
      // Unchanged file: no warning, and keys list has nothing to say.
      process.emit('SIGHUP', 'SIGHUP');
      await tick(200);
      expect(logged(err(), 'warn')).toEqual([]);
      expect(logged(err(), 'info').join('\n')).toContain('config unchanged');
      const before = await cli(['keys', 'list']);
      expect(before.out).not.toContain('restart serve');

      writeFileSync(configFile, yaml(0.05, 'app2', 0.5));
      process.emit('SIGHUP', 'SIGHUP');
      await tick(200);
      const warned = logged(err(), 'warn').join('\n');
      expect(warned).toContain('keys.app.budget.limit_usd 1 → 0.05');
      expect(warned).toContain('keys.app.tags.feature app → app2');
      expect(warned).toContain('budgets.free-daily.limit_usd 0.01 → 0.5');
      expect(warned).toContain('restart serve to apply them');

      const after = await cli(['keys', 'list']);
      expect(after.code).toBe(0);
      expect(after.out).toMatch(/the config changed after the running serve started at \d\d:\d\d/);
      expect(after.out).toContain('not yet enforced: restart serve');

      // A broken file: its error is logged, serve keeps running.
      writeFileSync(configFile, 'keys: [1, 2\n');
      process.emit('SIGHUP', 'SIGHUP');
      await tick(200);
      expect(logged(err(), 'error').join('\n')).toMatch(/tokometer\.yaml/);
      writeFileSync(configFile, yaml(0.05, 'app2', 0.5));
    });
    expect(logged(first, 'error').length).toBe(1);

    // Restarted with the edited config: it enforces the file, keys list says nothing more.
    await serving(async () => {
      const listed = await cli(['keys', 'list']);
      expect(listed.out).not.toContain('restart serve');
    });
    const history = await cli(['keys', 'history', 'app', '--json']);
    const events = JSON.parse(history.out) as Array<{ actor: string; action: string; details: Record<string, unknown> }>;
    const fromConfig = events.filter((e) => e.actor === 'config' && e.action === 'set');
    expect(fromConfig).toHaveLength(1);
    expect(fromConfig[0]!.details).toMatchObject({
      changes: {
        budget: { from: { limit_usd: 1 }, to: { limit_usd: 0.05 } },
        tags: { from: { feature: 'app' }, to: { feature: 'app2' } },
      },
    });
  }, 30_000);

});
