import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerPricesCommand } from '../../src/cli/prices.js';
import { createPricer } from '../../src/pricing/pricer.js';

/** `tokometer ARGS` over the pinned catalog and no config prices: what it prints. */
async function run(args: string[]): Promise<string> {
  let text = '';
  const program = new Command('tokometer').exitOverride();
  const pricer = createPricer();
  registerPricesCommand(program, { pricer: () => pricer, listUnpricedModels: () => [], out: (s) => (text += s), clock: () => Date.now(), timeZone: () => 'UTC' });
  await program.parseAsync(args, { from: 'user' });
  return text;
}

/**
 * `prices show MODEL` without --provider looked the name up by the catalog providers'
 * `model_match` alone, so a model no provider claims by name (cohere's embed-v4.0, groq's
 * llama-3.3-70b-versatile) was "unknown" though `prices list` shows it and calls are priced.
 */
describe('prices show MODEL without --provider', () => {
  it("shows cohere's embed-v4.0 at $0.12 per 1M input tokens ($0.47 per 1M image tokens, tokometer's override), as --provider cohere does", async () => {
    const expected = [
      'embed-v4.0  Embed v4.0',
      '  provider          cohere',
      '  source            override',
      '  USD per 1M tokens:',
      '    input             $0.12',
      '    cached input      -  (billed as input)',
      '    cache write (5m)  -  (billed as input)',
      '    output            -  (not billed)',
      '    image input       $0.47',
      '',
    ].join('\n');
    expect(await run(['prices', 'show', 'embed-v4.0', '--provider', 'cohere'])).toBe(expected);
    expect(await run(['prices', 'show', 'embed-v4.0'])).toBe(expected);
  });

  it('shows c4ai-aya-expanse-32b at cohere ($0.50 in, $1.50 out) and llama-3.3-70b-versatile at groq ($0.59 in, $0.79 out)', async () => {
    const aya = await run(['prices', 'show', 'c4ai-aya-expanse-32b']);
    expect(aya).toMatch(/^ {2}provider {10}cohere$/m);
    expect(aya).toMatch(/^ {4}input {13}\$0\.50$/m);
    expect(aya).toMatch(/^ {4}output {12}\$1\.50$/m);
    const llama = await run(['prices', 'show', 'llama-3.3-70b-versatile']);
    expect(llama).toMatch(/^ {2}provider {10}groq$/m);
    expect(llama).toMatch(/^ {4}input {13}\$0\.59$/m);
    expect(llama).toMatch(/^ {4}output {12}\$0\.79$/m);
  });

  it('shows each provider that prices a name several price, after a line naming them and --provider', async () => {
    const groq = await run(['prices', 'show', 'qwen/qwen3-32b', '--provider', 'groq']);
    const openrouter = await run(['prices', 'show', 'qwen/qwen3-32b', '--provider', 'openrouter']);
    expect(groq).not.toBe(openrouter);
    expect(await run(['prices', 'show', 'qwen/qwen3-32b'])).toBe(
      `'qwen/qwen3-32b' is priced by 2 providers: groq, openrouter (pass --provider to show one).\n\n${groq}\n${openrouter}`,
    );
  });

  it('still names the model unknown when no provider prices it, and keeps the model_match answer for a name one provider claims', async () => {
    await expect(run(['prices', 'show', 'gpt-imaginary-9'])).rejects.toThrow("unknown model 'gpt-imaginary-9': no price in the catalog");
    expect(await run(['prices', 'show', 'gpt-4o-mini'])).toBe(await run(['prices', 'show', 'gpt-4o-mini', '--provider', 'openai']));
  });
});
