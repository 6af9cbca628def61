import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerConfigCommand } from '../../src/cli/config.js';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { edgesFor } from '../../src/edges.js';
import { ConfigError } from '../../src/lib/errors.js';
import { syncConfigKeys } from '../../src/proxy/auth.js';
import { configDir, type FileText } from './config-files.js';

/** A well-formed metering key (mk_ + 32 characters). */
const SUMMARIZER_SECRET = `mk_${'a1B2'.repeat(8)}`;

/** A fresh working folder for one run of the command, holding `files`. */
const workDir = (files: Record<string, FileText> = {}) => configDir(files, 'tokometer-cli-');

async function run(args: string[], env: Record<string, string | undefined>, cwd: string) {
  let out = '';
  let err = '';
  const program = new Command('tokometer').exitOverride();
  registerConfigCommand(program, { cwd, env, out: (t) => (out += t), err: (t) => (err += t) });
  await program.parseAsync(['config', 'check', ...args], { from: 'user' });
  return { out, err };
}

describe('tokometer config check', () => {
  it('reports defaults when there is no config file', async () => {
    const cwd = workDir();
    const { out } = await run([], { OPENAI_API_KEY: 'sk-live-secret-value' }, cwd);
    expect(out.split('\n')[0]).toBe('config OK: (defaults, no config file)');
    expect(out).toMatch(/providers\s+key set: openai\n/);
    expect(out).toContain('key missing: anthropic, gemini');
    expect(out).toContain(`database   ${path.join(cwd, 'tokometer.db')}`);
    expect(out).not.toContain('sk-live-secret-value');
  });

  it('passes config.example.yaml copied as README says (tokometer.yaml), with an empty environment', async () => {
    const { readFileSync } = await import('node:fs');
    const cwd = workDir({ 'tokometer.yaml': readFileSync(new URL('../../config.example.yaml', import.meta.url), 'utf8').split('\n') });
    const { out } = await run([], {}, cwd);
    expect(out.split('\n')[0]).toBe('config OK: tokometer.yaml');
  });

  it('summarizes a config file without printing secrets', async () => {
    const cwd = workDir({
      'team.yaml': [
        'providers:',
        '  azure-eu: { base_url: "https://x.invalid/v1", api_key: "${AZ}" }',
        'keys:',
        '  summarizer: { budget: { limit_usd: 500 }, secret_env: SUMMARIZER_KEY }',
        'budgets:',
        '  - { name: free-daily, per: user_id, limit_usd: 0.5, period: day }',
        'admin: { token: "${ADMIN}" }',
        'alerts: { webhook_url: "https://hooks.invalid/T0KEN" }',
      ],
    });
    const { out, err } = await run(['--config', 'team.yaml'], { AZ: 'az-secret', ADMIN: 'admin-secret', SUMMARIZER_KEY: SUMMARIZER_SECRET }, cwd);
    expect(out.split('\n')[0]).toBe('config OK: team.yaml');
    expect(out).toContain('key set: azure-eu');
    expect(out).toContain('summarizer ($500.00/month)');
    expect(out).toContain('free-daily ($0.50/day per user_id)');
    expect(out).toContain('enabled (token set)');
    for (const secret of ['az-secret', 'admin-secret', 'T0KEN', SUMMARIZER_SECRET]) expect(out).not.toContain(secret);
    expect(err).toBe('');
  });

  describe('a declared key whose secret_env serve cannot use', () => {
    // serve warns and starts: the declaration then applies only to a key of that name already in
    // the database (`keys create`); without one, its budget, tags and allow-lists apply to nothing.
    // config check cannot tell which (a review found that failing it broke checks run without
    // production secrets), so it warns in serve's words, says what follows, and exits 0.
    const files = { 'tokometer.yaml': ['keys:', '  summarizer: { budget: { limit_usd: 500 }, secret_env: SUMMARIZER_KEY }', '  tagger: { secret_env: TAGGER_KEY }', ''] };
    const consequence = (name: string) => `: serve applies this declaration only to a key named '${name}' already in the database (\`tokometer keys create ${name}\`)\n`;

    it("warns with serve's words for each such key (unset, or not a metering key), says what follows, and exits 0", async () => {
      const declared = { summarizer: { secretEnv: 'SUMMARIZER_KEY' }, tagger: { secretEnv: 'TAGGER_KEY' } };
      const serveWarnings = await syncConfigKeys({} as never, declared, { TAGGER_KEY: 'sk-not-a-metering-key' }, 0);
      let out = '';
      let err = '';
      const ctx: CliContext = { edges: edgesFor('node'), env: { TAGGER_KEY: 'sk-not-a-metering-key' }, cwd: workDir(files), clock: () => 0, out: (t) => void (out += t), err: (t) => void (err += t), isTTY: false };
      expect(await runCli(['config', 'check'], ctx)).toBe(0);
      expect(out.split('\n')[0]).toBe('config OK with 2 warnings: tokometer.yaml');
      expect(err).toBe(`warning: ${serveWarnings[0]}${consequence('summarizer')}warning: ${serveWarnings[1]}${consequence('tagger')}`);
    });

    it('says nothing when the variable holds a metering key', async () => {
      const { out, err } = await run([], { SUMMARIZER_KEY: SUMMARIZER_SECRET, TAGGER_KEY: SUMMARIZER_SECRET }, workDir(files));
      expect(out.split('\n')[0]).toBe('config OK: tokometer.yaml');
      expect(err).toBe('');
    });
  });

  it('throws the ConfigError for a bad config', async () => {
    const cwd = workDir({ 'tokometer.yaml': 'listen:\n  port: eighty\n' });
    const failure = run([], {}, cwd);
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toThrow('tokometer.yaml:2:9: listen.port: must be a number, not the string "eighty"');
  });

  it('reads tls.cert and tls.key as serve does, and fails with the same field and file', async () => {
    const cwd = workDir({ 'tokometer.yaml': 'tls: { cert: ./nope.pem, key: ./nope.pem }\n' });
    const failure = run([], {}, cwd);
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toThrow(`tls.cert: cannot read ${path.join(cwd, 'nope.pem')} (ENOENT)`);
  });

  it('prints the retention serve keeps: at least 32 days, and why', async () => {
    const short = await run([], {}, workDir({ 'tokometer.yaml': 'retention_days: 10\n' }));
    expect(short.out).not.toContain('raw calls kept 10 days');
    expect(short.out).toMatch(/retention\s+raw calls kept 32 days \(retention_days 10 is raised to the minimum: budgets rebuild/);
    const long = await run([], {}, workDir({ 'tokometer.yaml': 'retention_days: 90\n' }));
    expect(long.out).toMatch(/retention\s+raw calls kept 90 days\n/);
  });

  it('throws for a missing --config file', async () => {
    const cwd = workDir();
    await expect(run(['--config', 'nope.yaml'], {}, cwd)).rejects.toThrow('config file not found: nope.yaml');
  });
});
