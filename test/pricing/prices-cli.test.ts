import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerPricesCommand, usd, type UnpricedModel } from '../../src/cli/prices.js';
import { UsageError } from '../../src/lib/errors.js';
import type { CatalogProvider } from '../../src/pricing/catalog-data.js';
import { pinnedCatalog } from '../../src/pricing/catalog.js';
import { createPricer, type PricerOptions } from '../../src/pricing/pricer.js';
import { snapshotSource } from '../../src/pricing/snapshot.js';
import type { ConfiguredPrice } from '../../src/pricing/types.js';

async function run(
  args: string[],
  unpriced: UnpricedModel[] = [],
  prices: Record<string, ConfiguredPrice> = { 'my-local-model': { provider: 'ollama', input: 0.1, output: 0.2 } },
  options: PricerOptions = {},
): Promise<string> {
  let text = '';
  const program = new Command('tokometer').exitOverride();
  const pricer = createPricer(prices, options);
  registerPricesCommand(program, { pricer: () => pricer, listUnpricedModels: () => unpriced, out: (s) => (text += s), clock: () => Date.now(), timeZone: () => 'UTC' });
  await program.parseAsync(args, { from: 'user' });
  return text;
}

describe('tokometer prices', () => {
  it('list --provider anthropic prints a table with tiers', async () => {
    const out = await run(['prices', 'list', '--provider', 'anthropic', '--at', '2026-11-27']);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^provider\s+model\s+input\s+cached input\s+cache write\s+output\s+tiers\s+notes$/);
    expect(lines.find((l) => /\bclaude-sonnet-4-5\s/.test(l))).toMatch(/anthropic\s+claude-sonnet-4-5\s+\$3\.00\s+\$0\.30\s+\$3\.75\s+\$15\.00\s+>200k: \$6\.00\/\$22\.50/);
    expect(lines.find((l) => l.includes('claude-sonnet-4-0'))).toMatch(/claude-sonnet-4-0 \(override\)/);
  });

  it('list names the source of the prices it does not mark (README: "the prices applied (and their source)")', async () => {
    const out = await run(['prices', 'list', '--provider', 'openai']);
    expect(out).toMatch(/\(override\)/);
    expect(out).toMatch(/^Unmarked prices: genai-prices@0\.1\.8 \(the pinned catalog\)\.$/m);
  });

  it('list shows config prices for a custom provider', async () => {
    const out = await run(['prices', 'list', '--provider', 'ollama']);
    expect(out).toMatch(/ollama\s+my-local-model \(config\)\s+\$0\.10\s+-\s+-\s+\$0\.20/);
  });

  it('list rejects an unknown provider', async () => {
    await expect(run(['prices', 'list', '--provider', 'nope'])).rejects.toThrow(UsageError);
  });

  it('show MODEL prints the prices of one model', async () => {
    const out = await run(['prices', 'show', 'gemini-2.5-pro-preview-06-05', '--provider', 'gemini']);
    expect(out).toContain('gemini-2.5-pro');
    expect(out).toMatch(/source\s+genai-prices@0\.1\.8/);
    expect(out).toMatch(/input\s+\$1\.25/);
    expect(out).toMatch(/cache write \(5m\)\s+-  \(billed as input\)/);
    expect(out).toMatch(/above 200,000 input tokens[^\n]*\n\s+input\s+\$2\.50/);
  });

  it('show gpt-image-1 prints its image input price; only cached image reads are left unmetered', async () => {
    const out = await run(['prices', 'show', 'gpt-image-1', '--provider', 'openai', '--at', '2026-11-27']);
    expect(out).toMatch(/\n\s+input\s+\$5\.00\n/);
    expect(out).toMatch(/\n\s+image input\s+\$10\.00\n/);
    expect(out).toMatch(/\n\s+not metered: cache_image_read_mtok\n/);
  });

  it('show of an unknown model fails with exit code 2 and a clear message', async () => {
    const failure = run(['prices', 'show', 'gpt-imaginary', '--provider', 'openai']);
    await expect(failure).rejects.toThrow(/unknown model 'gpt-imaginary' at provider 'openai'/);
    await expect(failure).rejects.toMatchObject({ exitCode: 2 });
  });

  it('show rejects a malformed --at', async () => {
    await expect(run(['prices', 'show', 'gpt-4o', '--at', 'yesterday-ish'])).rejects.toMatchObject({ exitCode: 2 });
  });

  it('unpriced lists models seen without a price (also the default subcommand)', async () => {
    const models = [{ provider: 'ollama', model: 'llama3.2:3b', calls: 12 }];
    for (const args of [['prices', 'unpriced'], ['prices']]) {
      const out = await run(args, models);
      expect(out).toMatch(/provider\s+model\s+calls\nollama\s+llama3\.2:3b\s+12\n/);
    }
    expect(await run(['prices', 'unpriced'])).toBe('Every recorded call has a price.\n');
  });

  it('unpriced: a model the config prices now gets the next steps (restart serve, reprice), not "add a price"', async () => {
    const config = { 'llama-x': { provider: 'local-llm', input: 0.2, output: 0.4 } };
    const out = await run(['prices', 'unpriced'], [{ provider: 'local-llm', model: 'llama-x', calls: 2 }], config);
    expect(out).not.toMatch(/Add their prices/);
    expect(out).toContain(
      "llama-x (local-llm) is priced by the config now: restart serve (it reads 'prices:' when it starts), then price the calls already recorded with " +
        'tokometer prices reprice --since TIME --model llama-x (TIME at or before the first of them; add --dry-run to see the change first).\n',
    );
  });

  it('unpriced: the plain advice covers only the models the config does not price, and a near config entry gets a did-you-mean', async () => {
    const config = { 'llama-x': { provider: 'local-llm', input: 0.2, output: 0.4 }, 'my-finetun': { provider: 'local-llm', input: 0.3, output: 1.2 } };
    const models = [
      { provider: 'local-llm', model: 'llama-x', calls: 2 },
      { provider: 'local-llm', model: 'my-finetune', calls: 5 },
      { provider: 'local-llm', model: 'mistral-local', calls: 1 },
    ];
    const out = await run(['prices', 'unpriced'], models, config);
    expect(out).toContain("These calls are recorded with an unknown cost. Add prices for my-finetune, mistral-local under 'prices:' in the config.\n");
    expect(out).toContain("my-finetune (local-llm): did you mean the config's entry my-finetun? An entry prices only calls for its exact name: rename it to my-finetune if that is the model.\n");
    expect(out).toMatch(/^llama-x \(local-llm\) is priced by the config now/m);
  });

  it('unpriced says which models are billed per page (no prices: field yet), and never calls a Gemini image model per-image', async () => {
    const out = await run(['prices', 'unpriced'], [{ provider: 'mistral', model: 'mistral-ocr-2606', calls: 3 }, { provider: 'acme', model: 'gemini-2.5-flash-image', calls: 2 }]);
    expect(out).toContain(`Add their prices under 'prices:' in the config; mistral-ocr-2606 is billed per page, which prices: cannot set yet (docs/prices.md, "Documents billed per page").\n`);
  });

  it('unpriced says which models are billed per image, which no price under prices: can count', async () => {
    const out = await run(['prices', 'unpriced'], [{ provider: 'openai', model: 'dall-e-3', calls: 4 }, { provider: 'ollama', model: 'llama3.2:3b', calls: 12 }]);
    expect(out).toContain(`These calls are recorded with an unknown cost. Add their prices under 'prices:' in the config; dall-e-3 is billed per image, which tokometer cannot price (docs/prices.md, "OpenAI Images API").\n`);
  });

  it('formats USD per 1M with 2 to 6 decimals', () => {
    expect([usd(2.5), usd(0.075), usd(0.0375), usd(10), usd(0.003625), usd(0), usd(null)]).toEqual(['$2.50', '$0.075', '$0.0375', '$10.00', '$0.003625', '$0.00', '-']);
  });
});

describe('tokometer prices: models not priced per token', () => {
  it('shows a model priced per hour of audio by that price alone, not as empty token prices', async () => {
    const show = await run(['prices', 'show', 'whisper-1', '--provider', 'openai']);
    expect(show).toMatch(/priced per second of audio \(the seconds a call reports × this \/ 3600\):\n\s+audio \/hour\s+\$0\.36\n/);
    expect(show).not.toMatch(/not billed/);
    expect(await run(['prices', 'list', '--provider', 'openai'])).toMatch(/whisper-1 .*\$0\.36 per hour of audio/);
  });

  // mistral-ocr-2512 (genai-prices 0.1.8): input_document_kpages 2, input_annotated_document_kpages 3.
  it('shows a model priced per page by its page prices, not as "not priced per token"', async () => {
    const show = await run(['prices', 'show', 'mistral-ocr-2512', '--provider', 'mistral', '--at', '2026-11-27']);
    expect(show).toMatch(/priced per page \(the pages a call reports × this \/ 1,000\):\n\s+pages \/1k\s+\$2\.00\n\s+annotated pg \/1k\s+\$3\.00\n/);
    expect(show).not.toMatch(/not priced per token|not metered/);
    expect(await run(['prices', 'list', '--provider', 'mistral', '--at', '2026-11-27'])).toMatch(/mistral-ocr-2512 .*\$2\.00 per 1,000 pages, \$3\.00 per 1,000 annotated pages/);
  });
});

describe('tokometer prices: a config entry that leaves prices unset', () => {
  const haiku = { 'claude-3-5-haiku-20241022': { provider: 'anthropic', input: 0.72, output: 3.6 } };

  it('show prints which prices come from the config and which from the catalog', async () => {
    const out = await run(['prices', 'show', 'claude-3-5-haiku-20241022', '--at', '2026-11-27'], [], haiku);
    expect(out).toMatch(/source\s+config; unset prices from genai-prices@0\.1\.8 \(anthropic claude-3-5-haiku-latest\)\n/);
    expect(out).toMatch(/\n\s+input\s+\$0\.72  \(config\)\n/);
    expect(out).toMatch(/\n\s+cached input\s+\$0\.08  \(catalog genai-prices@0\.1\.8\)\n/);
    expect(out).toMatch(/\n\s+cache write \(5m\)\s+\$1\.00  \(catalog genai-prices@0\.1\.8\)\n/);
    expect(out).toMatch(/\n\s+cache write \(1h\)\s+\$1\.60  \(catalog genai-prices@0\.1\.8\)\n/);
    expect(out).toMatch(/\n\s+output\s+\$3\.60  \(config\)\n/);
    expect(out).toMatch(/\n\s+web search \/1k\s+\$10\.00  \(catalog genai-prices@0\.1\.8\)\n/);
    expect(out).not.toContain('billed as input');
  });

  it('list marks the row as config with the catalog under it', async () => {
    const out = await run(['prices', 'list', '--provider', 'anthropic', '--at', '2026-11-27'], [], haiku);
    expect(out).toMatch(/anthropic\s+claude-3-5-haiku-20241022 \(config \+ genai-prices@0\.1\.8\)\s+\$0\.72\s+\$0\.08\s+\$1\.00\s+\$3\.60/);
  });
});

describe('tokometer prices show: a time-of-day price names its window', () => {
  it('deepseek-v4-flash at 02:00Z shows the peak-hour price and says it applies 01:00–04:00 UTC each day', async () => {
    const peak = await run(['prices', 'show', 'deepseek-v4-flash', '--provider', 'deepseek', '--at', '2026-11-27T02:00Z']);
    expect(peak).toMatch(/^  in force          01:00–04:00 UTC each day \(a time-of-day price; other hours differ\)$/m);
    const offPeak = await run(['prices', 'show', 'deepseek-v4-flash', '--provider', 'deepseek', '--at', '2026-11-27T12:00Z']);
    expect(offPeak).not.toMatch(/01:00–04:00/);
    expect(offPeak).toMatch(/price depends on the date\/time of the call/);
  });
});

describe('tokometer prices show --at, with a stored snapshot', () => {
  // A snapshot stored 2026-12-02 10:00 UTC (the pinned data): a database's newest.
  const fetchedAt = Date.parse('2026-12-02T10:00:00Z');
  const sha256 = 'ab12cd34'.padEnd(64, '0');
  const snapshot = { id: 7, source: snapshotSource(fetchedAt, sha256), fetchedAt, sha256, data: structuredClone(pinnedCatalog()) as CatalogProvider[] };
  const show = (at: string) => run(['prices', 'show', 'gpt-4o', '--provider', 'openai', '--at', at], [], {}, { snapshot });

  it('at a time after the snapshot was stored: in force since it was stored', async () => {
    const lines = (await show('2026-12-05')).split('\n');
    expect(lines[2]).toBe('  source            snapshot:2026-12-02:ab12cd34 (stored 2026-12-02T10:00:00.000Z)');
    expect(lines[3]).toBe('  in force since    2026-12-02T10:00:00.000Z (when the snapshot was stored)');
  });

  it('at a time before it was stored: says the newest snapshot prices that time too, not that it was in force since a later date', async () => {
    const lines = (await show('2025-06-01')).split('\n');
    expect(lines[2]).toBe('  source            snapshot:2026-12-02:ab12cd34 (stored 2026-12-02T10:00:00.000Z)');
    expect(lines[3]).toBe('  in force since    2026-12-02T10:00:00.000Z (when the snapshot was stored), after --at 2025-06-01T00:00:00.000Z:');
    expect(lines[4]).toBe('                    tokometer prices earlier times with its newest snapshot too; calls recorded before it keep their stored cost until prices reprice');
  });
});
