import { describe, expect, it } from 'vitest';
import { configCheck, serveStartWarnings } from './config-cli.js';
import { configDir } from './config-files.js';

/*
 * A `prices:` entry prices the calls whose model is the entry's name. One written
 * `gpt4o-mini` (a typo of the catalog's gpt-4o-mini) prices nothing the user sends, and
 * config check said OK. Custom names (fine-tunes, deployments) are legitimate, so this is a
 * warning, in config check and at serve's start: only for a name the catalog does not know
 * for the entry's provider that is one edit from a name it does (not a version: gpt-6 is not
 * a typo of gpt-5).
 */
const TYPO = ['prices:', '  gpt4o-mini: { provider: openai, input: 0.1, output: 0.4 }', ''];
const WARNING =
  'prices.gpt4o-mini: the catalog has no model gpt4o-mini for provider openai; did you mean gpt-4o-mini? ' +
  'This entry prices only calls for gpt4o-mini: correct the name if it is a typo (a model of your own may keep it)';

describe('a prices: entry whose model looks like a typo of a catalog model', () => {
  it('config check warns (exit 0) with the catalog name it is closest to', async () => {
    const { code, out, err } = await configCheck(TYPO);
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toBe('config OK with 1 warning: tokometer.yaml');
    expect(err).toBe(`warning: ${WARNING}\n`);
  });

  it('one warning per entry; an entry without provider is compared with every provider\'s models', async () => {
    const { code, err } = await configCheck(['prices:', '  gemini-2.5-flsh: { input: 1 }', '  mistral-larg: { input: 1 }', '  text-embeding-3-small: { provider: openai, input: 1 }', '']);
    expect(code).toBe(0);
    expect(err.trimEnd().split('\n')).toEqual([
      'warning: prices.gemini-2.5-flsh: the catalog has no model gemini-2.5-flsh; did you mean gemini-2.5-flash? This entry prices only calls for gemini-2.5-flsh: correct the name if it is a typo (a model of your own may keep it)',
      'warning: prices.mistral-larg: the catalog has no model mistral-larg; did you mean mistral-large? This entry prices only calls for mistral-larg: correct the name if it is a typo (a model of your own may keep it)',
      'warning: prices.text-embeding-3-small: the catalog has no model text-embeding-3-small for provider openai; did you mean text-embedding-3-small? This entry prices only calls for text-embeding-3-small: correct the name if it is a typo (a model of your own may keep it)',
    ]);
  });

  it('says nothing for a catalog model (any case), a name of the user\'s own, a fine-tune named after a model, or another version', async () => {
    for (const model of ['gpt-4o-mini', 'GPT-4o-mini', 'my-weird-model', 'gpt-4o-mini-ft', 'gpt-6', 'o5']) {
      const { code, out, err } = await configCheck(['prices:', `  ${model}: { provider: openai, input: 1 }`, '']);
      expect({ model, code, first: out.split('\n')[0], err }).toEqual({ model, code: 0, first: 'config OK: tokometer.yaml', err: '' });
    }
  });

  it('serve logs the same warning at start', async () => {
    const cwd = configDir({ 'tokometer.yaml': TYPO });
    const { code, warnings } = await serveStartWarnings(cwd);
    expect(code).toBe(0);
    expect(warnings).toEqual([WARNING]);
  });
});
