import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { edgesFor } from '../../src/edges.js';
import { ConfigError } from '../../src/lib/errors.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { NOW, usage } from '../pricing/support.js';
import { configDir, loadYaml } from './config-files.js';
import { thrownBy } from './thrown.js';

/*
 * A `prices:` entry restricted to a provider applies only to calls through a provider of
 * that name, or of the same catalog id (pricing/config-prices.ts configProviderMatches).
 * Calls only go through a built-in provider or one under `providers:`, so any other name is
 * a typo whose price never applies: the trial's `provider: local-llm` for the provider
 * `localllm` left every call of the model unpriced while `config check` said OK.
 */
const TRIAL = [
  'providers:',
  '  localllm:',
  '    kind: openai-compatible',
  '    base_url: http://127.0.0.1:19414/v1',
  'prices:',
  '  my-local-model:',
  '    provider: local-llm',
  '    input: 0.5',
  '    output: 1',
  '',
];

/** The ConfigError message loading `yaml` produces (a ConfigError exits with code 2). */
function errorOf(yaml: string | readonly string[]): string {
  const error = thrownBy(() => loadYaml(yaml), ConfigError);
  expect(error.exitCode).toBe(2);
  return error.message;
}

describe('prices.<model>.provider names a provider a call can go through', () => {
  it('the trial config: 1,000,000 input tokens through localllm would be unpriced instead of $0.50, so loading it fails with a did-you-mean', () => {
    // What the typo costs: the entry does not apply to localllm calls, which its corrected spelling prices at 500,000,000 nano-USD.
    const call = usage({ inputTokens: 1_000_000 });
    expect(createPricer({ 'my-local-model': { provider: 'local-llm', input: 0.5, output: 1 } }).price(call, { provider: 'localllm', model: 'my-local-model', at: NOW })).toMatchObject({ priced: false });
    expect(createPricer({ 'my-local-model': { provider: 'localllm', input: 0.5, output: 1 } }).price(call, { provider: 'localllm', model: 'my-local-model', at: NOW })).toMatchObject({ priced: true, costNano: 500_000_000 });

    expect(errorOf(TRIAL).split('\n')).toEqual([
      'tokometer.yaml:7:15: prices.my-local-model.provider: unknown provider "local-llm"; did you mean "localllm"? (not under providers: and not built in, so no call would get this price)',
    ]);
  });

  it('config check exits 2 on the trial config and prints the problem, not "config OK"', async () => {
    let out = '';
    let err = '';
    const ctx: CliContext = { edges: edgesFor('node'), env: {}, cwd: configDir({ 'tokometer.yaml': TRIAL }), clock: () => 0, out: (t) => void (out += t), err: (t) => void (err += t), isTTY: false };
    expect(await runCli(['config', 'check'], ctx)).toBe(2);
    expect(out).toBe('');
    expect(err).toContain('tokometer.yaml:7:15: prices.my-local-model.provider: unknown provider "local-llm"; did you mean "localllm"?');
  });

  it('offers the closest built-in name or catalog id, and no guess when none is close', () => {
    expect(errorOf('prices:\n  gpt-4o: { provider: opeani, input: 2 }\n')).toBe(
      'tokometer.yaml:2:23: prices.gpt-4o.provider: unknown provider "opeani"; did you mean "openai"? (not under providers: and not built in, so no call would get this price)',
    );
    expect(errorOf('prices:\n  gemini-2.5-pro: { provider: googel, input: 3 }\n')).toContain('unknown provider "googel"; did you mean "google"?');
    expect(errorOf('prices:\n  gpt-4o: { provider: azure-eu, input: 2 }\n')).toBe(
      'tokometer.yaml:2:23: prices.gpt-4o.provider: unknown provider "azure-eu" (not under providers: and not built in, so no call would get this price)',
    );
  });

  it('accepts configured providers, built-in names and their catalog ids, in any case (as calls match them)', () => {
    const yaml = [
      'providers:',
      '  localllm: { base_url: "http://127.0.0.1:1/v1" }',
      'prices:',
      '  a: { provider: localllm, input: 1 }',
      '  b: { provider: openai, input: 1 }',
      '  c: { provider: google, input: 1 }',
      '  d: { provider: x-ai, input: 1 }',
      '  e: { provider: " Anthropic ", input: 1 }',
      '  f: { input: 1 }',
      '',
    ];
    expect(Object.keys(loadYaml(yaml).config.prices)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    // " Anthropic " does price anthropic calls: the check must not refuse what matching accepts.
    const p = createPricer(loadYaml(yaml).config.prices);
    expect(p.price(usage({ inputTokens: 1000 }), { provider: 'anthropic', model: 'e', at: NOW })).toMatchObject({ priced: true, costNano: 1_000_000 });
  });
});
