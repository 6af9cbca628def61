import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerConfigCommand } from '../../src/cli/config.js';
import { providerSettings } from '../../src/config/providers.js';
import { buildProviders } from '../../src/providers/registry.js';
import { configDir, loadYaml } from './config-files.js';

/**
 * The options of an openai-compatible provider for Azure OpenAI and keyless servers:
 * `auth_header` (how the provider key goes upstream), `deployments` (the model each Azure
 * deployment runs), a `base_url` with a query (merged into every request's), and no
 * `api_key` at all (ollama, vLLM: forwarded without credentials, and listed so).
 */

async function check(lines: readonly string[]): Promise<string> {
  let out = '';
  const program = new Command('tokometer').exitOverride();
  registerConfigCommand(program, { cwd: configDir({ 'tokometer.yaml': lines }), env: {}, out: (t) => (out += t), err: () => {} });
  await program.parseAsync(['config', 'check'], { from: 'user' });
  return out;
}

describe('openai-compatible provider options', () => {
  it('config check lists a custom openai-compatible provider without a key as forwarded without Authorization, and a built-in one as key missing', async () => {
    const out = await check(['providers:', '  ollama: { kind: openai-compatible, base_url: "http://127.0.0.1:11434/v1" }', '  groq: {}']);
    expect(out).toMatch(/no key: forwarded without Authorization: ollama\n/);
    expect(out).toMatch(/key missing: [^\n]*groq/);
    expect(out).not.toMatch(/key missing: [^\n]*ollama/);
  });

  it('reads auth_header and deployments into the provider the proxy serves', () => {
    const { config } = loadYaml([
      'providers:',
      '  azure:',
      '    kind: openai-compatible',
      '    base_url: "https://example.openai.azure.com/openai?api-version=2024-10-21"',
      '    api_key: az-key',
      '    auth_header: api-key',
      '    deployments: { prod-gpt4o: gpt-4o, cheap: gpt-4o-mini }',
    ]);
    const azure = buildProviders(providerSettings(config.providers)).get('azure');
    expect(azure?.baseUrl).toBe('https://example.openai.azure.com/openai');
    expect(azure?.baseQuery).toBe('api-version=2024-10-21');
    const info = azure?.adapter.describe('POST', '/deployments/cheap/chat/completions', { messages: [] });
    expect(info).toMatchObject({ endpoint: 'chat.completions', model: 'gpt-4o-mini', deployment: { name: 'cheap', model: 'gpt-4o-mini' } });
  });

  it('refuses an auth_header it does not know, naming the ones it takes', () => {
    expect(() => loadYaml(['providers:', '  azure: { kind: openai-compatible, base_url: "https://x.invalid/openai", auth_header: x-key }'])).toThrow(/auth_header.*authorization.*api-key/);
  });

  it('refuses deployments and auth_header on a provider that does not speak the openai family', () => {
    expect(() => loadYaml(['providers:', '  anthropic: { deployments: { a: claude-sonnet-4-5 } }'])).toThrow(/deployments.*openai/);
  });
});
