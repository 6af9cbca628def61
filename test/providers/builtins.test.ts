import { describe, expect, it } from 'vitest';
import { keyEnvOf } from '../../src/config/providers.js';
import { CATALOG_PROVIDER_IDS, LISTED_PROVIDERS, catalogProviderId, vendorProviderId } from '../../src/pricing/catalog.js';
import { BUILTIN_PROVIDERS, BUILTIN_PROVIDER_NAMES, DEFAULT_FAMILY, builtinProvider, familyOf } from '../../src/providers/builtins.js';
import { buildProviders } from '../../src/providers/registry.js';

describe('the built-in provider table', () => {
  it('lists the SPEC §2 providers in order, each with a family, an https base URL and a key variable', () => {
    expect(BUILTIN_PROVIDER_NAMES).toEqual(['openai', 'anthropic', 'gemini', 'mistral', 'cohere', 'groq', 'deepseek', 'openrouter', 'together', 'xai']);
    for (const name of BUILTIN_PROVIDER_NAMES) {
      const p = BUILTIN_PROVIDERS[name];
      expect(p.baseUrl, name).toMatch(/^https:\/\//);
      expect(p.keyEnv.length, name).toBeGreaterThan(0);
    }
  });

  it('gives unknown names the openai family, and never treats Object.prototype keys as providers', () => {
    expect(DEFAULT_FAMILY).toBe('openai');
    expect(familyOf('azure-eu')).toBe('openai');
    expect(familyOf('azure-eu', 'anthropic')).toBe('anthropic');
    expect(familyOf('groq')).toBe('openai');
    expect(familyOf('gemini')).toBe('gemini');
    for (const name of ['constructor', 'toString', '__proto__']) {
      expect(builtinProvider(name), name).toBeUndefined();
      expect(catalogProviderId(name), name).toBeUndefined();
      expect(vendorProviderId(name), name).toBeUndefined();
      expect(keyEnvOf(name), name).toEqual([]);
    }
  });

  it('derives the key variables the loader falls back to', () => {
    expect(keyEnvOf('gemini')).toEqual(['GEMINI_API_KEY', 'GOOGLE_API_KEY']);
    expect(keyEnvOf('cohere')).toEqual(['CO_API_KEY']);
    expect(keyEnvOf('azure-eu')).toEqual([]);
  });

  it('derives the catalog mapping: names and catalog ids, listed in table order', () => {
    // Each name maps as test/pricing/resolve.test.ts checks; catalog ids map to themselves.
    expect(CATALOG_PROVIDER_IDS).toMatchObject({ google: 'google', 'x-ai': 'x-ai' });
    expect(Object.keys(CATALOG_PROVIDER_IDS)).toEqual(['openai', 'anthropic', 'gemini', 'google', 'mistral', 'cohere', 'groq', 'deepseek', 'openrouter', 'together', 'xai', 'x-ai']);
    expect(LISTED_PROVIDERS).toEqual(['openai', 'anthropic', 'google', 'mistral', 'cohere', 'groq', 'deepseek', 'openrouter', 'together', 'x-ai']);
    expect(catalogProviderId(' Gemini ')).toBe('google');
    expect(catalogProviderId('azure-eu')).toBeUndefined();
  });

  it('names first-party vendors by prefix (OpenRouter style), but not hosts of other vendors\' models', () => {
    const vendors = ['openai', 'anthropic', 'google', 'gemini', 'mistralai', 'mistral', 'cohere', 'deepseek', 'x-ai', 'xai'];
    expect(Object.fromEntries(vendors.map((v) => [v, vendorProviderId(v)]))).toEqual({
      openai: 'openai',
      anthropic: 'anthropic',
      google: 'google',
      gemini: 'google',
      mistralai: 'mistral',
      mistral: 'mistral',
      cohere: 'cohere',
      deepseek: 'deepseek',
      'x-ai': 'x-ai',
      xai: 'x-ai',
    });
    for (const host of ['groq', 'together', 'openrouter', 'meta-llama']) expect(vendorProviderId(host), host).toBeUndefined();
  });

  it('builds every built-in provider from no settings, with its base URL and the default timeouts', () => {
    const table = buildProviders({});
    expect([...table.keys()]).toEqual(BUILTIN_PROVIDER_NAMES);
    expect(table.get('xai')).toMatchObject({ baseUrl: 'https://api.x.ai/v1', apiKey: null, connectTimeoutMs: 10_000, headersTimeoutMs: 300_000, idleTimeoutMs: 300_000 });
  });

  it('serves a provider that is not built in only with a base URL, in the family it was given', () => {
    const table = buildProviders({ local: { family: 'anthropic', baseUrl: 'http://127.0.0.1:9' }, nowhere: {}, plain: { baseUrl: 'http://127.0.0.1:8' } });
    expect(table.has('nowhere')).toBe(false);
    expect(table.get('local')?.adapter.family).toBe('anthropic');
    expect(table.get('plain')?.adapter.family).toBe('plain');
    expect([...table.keys()].slice(-2)).toEqual(['local', 'plain']);
  });
});
