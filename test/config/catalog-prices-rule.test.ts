import { describe, expect, it } from 'vitest';
import { cliWithConfig, configCheck, serveStartInfo } from './config-cli.js';
import { configDir } from './config-files.js';

/*
 * Which custom providers the price catalog may price (providers.NAME.catalog_prices).
 * Default: false for a custom provider with neither api_key nor auth_header (a local vLLM
 * or ollama, README's "no key" providers), true for one with a credential (Azure OpenAI, a
 * reseller). config check and serve's start say which rule each custom provider gets;
 * prices show / list --provider tell the truth about it.
 */
const PROVIDERS = [
  'providers:',
  '  local-llm: { kind: openai-compatible, base_url: "http://127.0.0.1:21401/v1" }',
  '  azure: { kind: openai-compatible, base_url: "https://example.invalid/openai", api_key: "sk-test", auth_header: api-key }',
  '  gpu-box: { kind: openai-compatible, base_url: "http://10.0.0.5:8000/v1", catalog_prices: true }',
  '  gateway: { kind: openai-compatible, base_url: "https://gw.example.invalid/v1", api_key: "sk-gw", catalog_prices: false }',
];

const LOCAL = 'local-llm: no api_key, priced only from prices: (catalog_prices: false); set catalog_prices: true to use catalog prices for model names it knows';
const AZURE = 'azure: catalog prices for model names it knows (catalog_prices: true: it has an api_key); set catalog_prices: false to price it only from prices:';
const GPU = 'gpu-box: catalog prices for model names it knows (catalog_prices: true)';
const GATEWAY = 'gateway: priced only from prices: (catalog_prices: false)';

describe('catalog_prices: which custom providers the price catalog prices', () => {
  it('config check lists the rule of each custom provider under providers, in the config order', async () => {
    const { code, out } = await configCheck([...PROVIDERS, '']);
    expect(code).toBe(0);
    const lines = out.split('\n').map((l) => l.trim());
    // Under the providers' key lines, before keys.
    const at = lines.findIndex((l) => l.startsWith('keys '));
    expect(lines.slice(at - 4, at)).toEqual([LOCAL, AZURE, GPU, GATEWAY]);
  });

  it('config check says nothing of the kind without custom providers', async () => {
    const { out } = await configCheck(['providers:', '  openai: { api_key: "sk-x" }', '']);
    expect(out).not.toMatch(/catalog_prices/);
  });

  it('catalog_prices must be true or false', async () => {
    const { code, err } = await configCheck(['providers:', '  local-llm: { base_url: "http://127.0.0.1:1/v1", catalog_prices: "yes" }', '']);
    expect(code).toBe(2);
    expect(err).toMatch(/catalog_prices/);
  });

  it("serve's start logs the same lines", async () => {
    const info = await serveStartInfo(configDir({ 'tokometer.yaml': [...PROVIDERS, ''] }));
    for (const line of [LOCAL, AZURE, GPU, GATEWAY]) expect(info).toContain(`prices: ${line}`);
  });

  it('prices show gpt-4o --provider local-llm: no catalog price applies, and it says why and what to do', async () => {
    const { code, err } = await cliWithConfig([...PROVIDERS, ''], ['prices', 'show', 'gpt-4o', '--provider', 'local-llm', '--db', ':memory:']);
    expect(code).toBe(2);
    expect(err).toContain(
      "unknown model 'gpt-4o' at provider 'local-llm': local-llm is priced only from prices: (catalog_prices: false) and no entry there prices gpt-4o; add one under 'prices:', or set catalog_prices: true under providers.local-llm to use catalog prices for model names it knows",
    );
  });

  it('prices show gpt-4o --provider azure / gpu-box: the OpenAI catalog row, saying it is taken by model name', async () => {
    for (const provider of ['azure', 'gpu-box']) {
      const { code, out } = await cliWithConfig([...PROVIDERS, ''], ['prices', 'show', 'gpt-4o', '--provider', provider, '--db', ':memory:']);
      expect(code).toBe(0);
      expect(out).toMatch(/^gpt-4o/);
      expect(out).toMatch(/provider\s+openai/);
      expect(out).toContain(`${provider} takes catalog prices by model name (catalog_prices: true)`);
    }
  });

  it('prices show gpt-4o --provider local-llm with a prices: entry shows the entry', async () => {
    const { code, out } = await cliWithConfig([...PROVIDERS, 'prices:', '  gpt-4o: { provider: local-llm, input: 0.1, output: 0.2 }', ''], ['prices', 'show', 'gpt-4o', '--provider', 'local-llm', '--db', ':memory:']);
    expect(code).toBe(0);
    expect(out).toMatch(/input\s+\$0\.10/);
  });

  it('prices list --provider local-llm says no catalog row prices its calls', async () => {
    const { code, out } = await cliWithConfig([...PROVIDERS, ''], ['prices', 'list', '--provider', 'local-llm', '--db', ':memory:']);
    expect(code).toBe(0);
    expect(out).toBe(
      'No prices.\nlocal-llm is priced only from prices: (catalog_prices: false): no catalog price applies to its calls; set catalog_prices: true under providers.local-llm to use catalog prices for model names it knows.\n',
    );
  });

  it('prices list --provider azure says its calls take the catalog row of whichever catalog provider claims the model name', async () => {
    const { code, out } = await cliWithConfig([...PROVIDERS, ''], ['prices', 'list', '--provider', 'azure', '--db', ':memory:']);
    expect(code).toBe(0);
    expect(out).toContain('azure takes catalog prices by model name (catalog_prices: true): a call is priced at the catalog row of the provider whose model names claim the model (gpt-4o: openai); `prices show MODEL --provider azure` shows the one for MODEL.');
  });

  it("config check's warning about a prices: entry for openai says a keyless provider's calls of the model stay unpriced, and a keyed one's take the catalog's price", async () => {
    const { code, err } = await configCheck([...PROVIDERS, 'prices:', '  gpt-4o: { provider: openai, input: 2 }', '']);
    expect(code).toBe(0);
    expect(err).toContain("prices.gpt-4o names provider: openai, so its calls through local-llm and gateway (kind openai-compatible) stay unpriced, through azure and gpu-box (kind openai-compatible) take the catalog's price, not this entry's: prices are per provider.");
  });
});
