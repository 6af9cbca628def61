import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { NOW, usage } from '../pricing/support.js';
import { configCheck, serveStartWarnings } from './config-cli.js';
import { configDir } from './config-files.js';

/*
 * A `prices:` entry restricted to a provider prices calls through a provider of that name or
 * catalog id only (pricing/config-prices.ts configProviderMatches). A custom provider under
 * `providers:` (azure-eu, kind openai-compatible) is a provider of its own, so an entry written
 * `provider: openai` does not price its calls: they stay unpriced (or take the catalog's price
 * when it has the model). That is correct, but easy to mistake for "the openai kind": the user
 * then sees every azure-eu call of the model unpriced while `config check` says OK. Both
 * `config check` and serve's start now say which entry, which custom provider, and what to write.
 */
const AZURE = ['providers:', '  azure-eu:', '    kind: openai-compatible', '    base_url: "https://example.invalid/v1"'];
const FINETUNE_FOR = (provider: string) => ['prices:', '  my-finetune:', `    provider: ${provider}`, '    input: 0.30', '    output: 1.20', ''];

// my-finetune is in no catalog, so the warning can say the calls stay unpriced.
const WARNING =
  'prices.my-finetune names provider: openai, so its calls through azure-eu (kind openai-compatible) stay unpriced: prices are per provider. ' +
  "To price every provider's calls, leave provider out; for azure-eu alone, write provider: azure-eu";

/** `config check` in a folder holding tokometer.yaml = `yaml`. */
describe('a prices: entry for a built-in provider while a custom provider of the same kind exists', () => {
  it('the pitfall: 1M input + 1M output tokens of my-finetune through azure-eu are unpriced with provider: openai, 1,500,000,000 nano-USD with provider: azure-eu', () => {
    const call = usage({ inputTokens: 1_000_000, outputTokens: 1_000_000 });
    const at = { provider: 'azure-eu', model: 'my-finetune', at: NOW };
    expect(createPricer({ 'my-finetune': { provider: 'openai', input: 0.3, output: 1.2 } }).price(call, at)).toMatchObject({ priced: false });
    expect(createPricer({ 'my-finetune': { provider: 'azure-eu', input: 0.3, output: 1.2 } }).price(call, at)).toMatchObject({ priced: true, costNano: 1_500_000_000 });
  });

  it('config check warns (exit 0, "config OK with 1 warning") naming the entry, the custom provider and provider: azure-eu', async () => {
    const { code, out, err } = await configCheck([...AZURE, ...FINETUNE_FOR('openai')]);
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toBe('config OK with 1 warning: tokometer.yaml');
    expect(err).toBe(`warning: ${WARNING}\n`);
  });

  it('warns for every custom provider of the entry\'s kind, also when the entry names a catalog id (google for gemini)', async () => {
    const yaml = [
      'providers:',
      '  vertex-eu: { kind: gemini, base_url: "https://example.invalid/gemini" }',
      '  claude-gw: { kind: anthropic, base_url: "https://example.invalid/anthropic" }',
      '  local: { base_url: "http://127.0.0.1:1/v1" }',
      'prices:',
      '  my-gemini: { provider: google, input: 1 }',
      '  my-claude: { provider: anthropic, input: 1 }',
      '',
    ];
    const { code, out, err } = await configCheck(yaml);
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toBe('config OK with 2 warnings: tokometer.yaml');
    const lines = err.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^warning: prices\.my-gemini names provider: google, so its calls through vertex-eu \(kind gemini\) stay unpriced: .* for vertex-eu alone, write provider: vertex-eu$/);
    expect(lines[1]).toMatch(/^warning: prices\.my-claude names provider: anthropic, so its calls through claude-gw \(kind anthropic\) stay unpriced: .* for claude-gw alone, write provider: claude-gw$/);
  });

  it('one warning per entry, naming every custom provider of its kind: 3 entries and 3 custom providers give 3 warnings, not 5', async () => {
    const yaml = [
      'providers:',
      '  azure-eu: { kind: openai-compatible, base_url: "https://example.invalid/eu/v1", api_key: "sk-eu" }',
      '  azure-us: { kind: openai-compatible, base_url: "https://example.invalid/us/v1", api_key: "sk-us" }',
      '  claude-gw: { kind: anthropic, base_url: "https://example.invalid/anthropic" }',
      'prices:',
      '  my-finetune: { provider: openai, input: 0.3, output: 1.2 }',
      '  gpt-4o: { provider: openai, input: 2, output: 8 }',
      '  my-claude: { provider: anthropic, input: 1 }',
      '',
    ];
    const { code, out, err } = await configCheck(yaml);
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toBe('config OK with 3 warnings: tokometer.yaml');
    expect(err.trimEnd().split('\n')).toEqual([
      "warning: prices.my-finetune names provider: openai, so its calls through azure-eu and azure-us (kind openai-compatible) stay unpriced: prices are per provider. To price every provider's calls, leave provider out",
      // The catalog prices gpt-4o, so calls through the custom providers (with a key: catalog_prices true) are not unpriced: they get the catalog's price.
      "warning: prices.gpt-4o names provider: openai, so its calls through azure-eu and azure-us (kind openai-compatible) take the catalog's price, not this entry's: prices are per provider. To price every provider's calls, leave provider out",
      "warning: prices.my-claude names provider: anthropic, so its calls through claude-gw (kind anthropic) stay unpriced: prices are per provider. To price every provider's calls, leave provider out; for claude-gw alone, write provider: claude-gw",
    ]);
  });

  it('says nothing when the entry names the custom provider, names none, names another kind, names a vendor of the kind (groq), or there is no custom provider', async () => {
    for (const yaml of [
      [...AZURE, ...FINETUNE_FOR('azure-eu')],
      [...AZURE, ...FINETUNE_FOR('groq')],
      [...AZURE, 'prices:', '  my-finetune: { input: 0.3 }', ''],
      [...AZURE, ...FINETUNE_FOR('anthropic')],
      ['providers:', '  openai: { base_url: "https://example.invalid/v1" }', ...FINETUNE_FOR('openai')],
    ]) {
      const { code, out, err } = await configCheck(yaml);
      expect({ code, first: out.split('\n')[0], err }).toEqual({ code: 0, first: 'config OK: tokometer.yaml', err: '' });
    }
  });

  it('serve logs the same warning at start', async () => {
    const cwd = configDir({ 'tokometer.yaml': [...AZURE, ...FINETUNE_FOR('openai')] });
    const { code, warnings } = await serveStartWarnings(cwd);
    expect(code).toBe(0);
    expect(warnings).toEqual([WARNING]);
  });
});
