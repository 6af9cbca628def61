import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { cliFolder } from './cli-folder.js';

/**
 * A new user's trial: with `api_key: "${OPENAI_API_KEY}"` in the config, every read-only
 * command (report, audit, keys list, prices …) exited 2 with "environment variable
 * OPENAI_API_KEY is not set" when the variable was missing, so every analyst machine or
 * cron job that only reports had to hold the provider keys. Commands that do not proxy
 * now leave the secrets they do not send unresolved (absent from their config, never a
 * placeholder); serve and config check still refuse the unset variable.
 */

const CONFIG = `db: ./meter.db
providers:
  openai: { api_key: "\${OPENAI_API_KEY}" }
  gemini: { api_key: "\${GEMINI_API_KEY}" }
  azure: { kind: openai-compatible, base_url: "https://example.invalid/v1", api_key: "\${AZURE_KEY}", admin_key: "\${AZURE_ADMIN_KEY}" }
alerts: { webhook_url: "\${ALERTS_WEBHOOK_URL}" }
admin: { token: "\${ADMIN_TOKEN}" }
telemetry: { headers: { authorization: "\${OTEL_TOKEN}" } }
`;

/** Every variable the config names, set. */
const FULL_ENV = {
  OPENAI_API_KEY: 'sk-proj-openai-secret-1',
  GEMINI_API_KEY: 'gemini-secret-2',
  AZURE_KEY: 'azure-secret-3',
  AZURE_ADMIN_KEY: 'azure-admin-secret-4',
  ALERTS_WEBHOOK_URL: 'https://hooks.example.invalid/secret-5',
  ADMIN_TOKEN: 'admin-secret-6',
  OTEL_TOKEN: 'Bearer otel-secret-7',
};

const { dir, cli } = cliFolder('tokometer-read-secrets-');

/** The config in the folder and its database made (with every variable set), with one key. */
async function setUp(): Promise<void> {
  writeFileSync(path.join(dir(), 'tokometer.yaml'), CONFIG);
  const created = await cli(['keys', 'create', 'app'], FULL_ENV);
  expect(created.err).toBe('');
  expect(created.code).toBe(0);
}

describe('read-only commands without the provider secrets in the environment', () => {
  const commands = [
    ['report'],
    ['report', '--format', 'json'],
    ['audit'],
    ['keys', 'list'],
    ['keys', 'history'],
    ['prices', 'list'],
    ['prices', 'show', 'gpt-4o'],
    ['prices', 'unpriced'],
    ['prices', 'history'],
  ];
  for (const args of commands) {
    it(`${args.join(' ')} runs (exit 0) and names no variable`, async () => {
      await setUp();
      const r = await cli(args);
      expect(r.err).not.toContain('is not set');
      expect(r.code).toBe(0);
    });
  }

  it('keys create, set and revoke do not need them either', async () => {
    await setUp();
    expect((await cli(['keys', 'create', 'other'])).code).toBe(0);
    expect((await cli(['keys', 'set', 'other', '--budget', '5'])).code).toBe(0);
    expect((await cli(['keys', 'revoke', 'other'])).code).toBe(0);
  });

  it('tui gets past the config to its own check of the terminal', async () => {
    await setUp();
    const r = await cli(['tui']);
    expect(r.err).toContain('tui needs an interactive terminal');
    expect(r.code).toBe(2);
  });

  it('tui --url still needs the admin token it sends, and names its variable', async () => {
    await setUp();
    const r = await cli(['tui', '--url', 'http://127.0.0.1:1']);
    expect(r.err).toContain('admin.token: environment variable ADMIN_TOKEN is not set');
    expect(r.code).toBe(2);
  });

  it('reconcile resolves only the admin key of the provider it reads', async () => {
    await setUp();
    const openai = await cli(['reconcile', '--provider', 'openai']);
    expect(openai.err).toBe('tokometer: no admin key for openai: set OPENAI_ADMIN_KEY (or providers.openai.admin_key in the config) to an organization admin key with access to OpenAI\'s usage and cost reports.\n');
    expect(openai.code).toBe(2);
    const azure = await cli(['reconcile', '--provider', 'azure']);
    expect(azure.err).toContain('providers.azure.admin_key: environment variable AZURE_ADMIN_KEY is not set');
    expect(azure.code).toBe(2);
  });

  it('serve and config check still refuse the unset variable', async () => {
    await setUp();
    for (const args of [['config', 'check'], ['serve', '--port', '0']]) {
      const r = await cli(args);
      expect(r.err).toContain('providers.openai.api_key: environment variable OPENAI_API_KEY is not set');
      expect(r.code).toBe(2);
    }
  });
});

describe('loadConfig for a command that sends no secret', () => {
  it('leaves every secret out, even with the variables set (nothing to send by mistake)', async () => {
    writeFileSync(path.join(dir(), 'tokometer.yaml'), CONFIG);
    const { config } = loadConfig({ env: FULL_ENV, cwd: dir(), secrets: {} });
    expect(config.providers.openai).toEqual({});
    expect(config.providers.azure).toEqual({ kind: 'openai-compatible', base_url: 'https://example.invalid/v1' });
    expect(config.alerts).toEqual({});
    expect(config.admin).toEqual({});
    expect(config.telemetry.headers).toBeUndefined();
    const text = JSON.stringify(config);
    for (const value of [...Object.values(FULL_ENV), '${']) expect(text).not.toContain(value);
  });

  it('resolves only the secrets named: the admin token, one provider\'s admin key', async () => {
    writeFileSync(path.join(dir(), 'tokometer.yaml'), CONFIG);
    const { config } = loadConfig({ env: { ADMIN_TOKEN: 'admin-secret-6', AZURE_ADMIN_KEY: 'azure-admin-secret-4' }, cwd: dir(), secrets: { adminToken: true, adminKeysOf: ['azure'] } });
    expect(config.admin).toEqual({ token: 'admin-secret-6' });
    expect(config.providers.azure).toEqual({ kind: 'openai-compatible', base_url: 'https://example.invalid/v1', admin_key: 'azure-admin-secret-4' });
  });

  it('does not fall back to the providers\' key variables', async () => {
    const { config } = loadConfig({ env: { OPENAI_API_KEY: 'sk-from-env', TOKOMETER_ADMIN_TOKEN: 'tok' }, cwd: dir(), secrets: {} });
    expect(config.providers.openai).toEqual({});
    expect(config.admin).toEqual({});
  });

  it('without `secrets`, resolves every one as before (serve)', async () => {
    writeFileSync(path.join(dir(), 'tokometer.yaml'), CONFIG);
    const { config } = loadConfig({ env: FULL_ENV, cwd: dir() });
    expect(config.providers.openai?.api_key).toBe('sk-proj-openai-secret-1');
    expect(config.admin.token).toBe('admin-secret-6');
    expect(config.telemetry.headers).toEqual({ authorization: 'Bearer otel-secret-7' });
  });
});
