import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ProxyError } from '../../src/lib/errors.js';
import { providerSettings } from '../../src/config/providers.js';
import { BUILTIN_PROVIDERS } from '../../src/providers/builtins.js';
import { buildProviders } from '../../src/providers/registry.js';
import type { ProviderAdapter } from '../../src/providers/types.js';
import { configDir } from '../config/config-files.js';

// Loaded the way serve loads it, so built-in providers without api_key take theirs from the environment.
const dir = configDir(
  {
    'tokometer.yaml': [
      'providers:',
      '  azure-eu: { kind: openai-compatible, base_url: "https://example.invalid/openai/v1", api_key: "az" }',
      '  mistral-eu: { kind: mistral, base_url: "https://api.eu.mistral.ai", api_key: "m" }',
      '  cohere-private: { kind: cohere, base_url: "https://cohere.internal.example", api_key: "c" }',
      '  groq: { api_key: "g" }',
      '',
    ],
  },
  'tokometer-registry-',
);
const { config } = loadConfig({ env: { MISTRAL_API_KEY: 'mk-env', CO_API_KEY: 'co-env' }, cwd: dir });
const providers = buildProviders(providerSettings(config.providers));
const adapter = (name: string): ProviderAdapter => {
  const p = providers.get(name);
  if (!p) throw new Error(`no provider ${name}`);
  return p.adapter;
};

const enc = new TextEncoder();
/** Whether the adapter injects stream usage into a streaming chat request. */
function injects(name: string): boolean {
  const a = adapter(name);
  const body = { model: 'm', stream: true, messages: [] };
  const info = a.describe('POST', '/chat/completions', body);
  return a.prepare(info, body, enc.encode(JSON.stringify(body))).stripInjectedUsage;
}

const shapeOf = (name: string): string[] => Object.keys(JSON.parse(adapter(name).renderError(new ProxyError('unauthorized', 'no')).body) as object);

describe('provider table for Mistral, Cohere and OpenAI-compatible vendors', () => {
  it('serves every built-in provider, each with its own family name', () => {
    for (const name of Object.keys(BUILTIN_PROVIDERS) as (keyof typeof BUILTIN_PROVIDERS)[]) {
      if (name === 'anthropic' || name === 'gemini') continue;
      expect(providers.get(name)?.adapter.family, name).toBe(name);
      expect(providers.get(name)?.baseUrl, name).toBe(BUILTIN_PROVIDERS[name].baseUrl);
    }
    expect(providers.get('mistral')?.apiKey).toBe('mk-env');
    expect(providers.get('cohere')?.apiKey).toBe('co-env');
    expect(providers.get('groq')?.apiKey).toBe('g');
  });

  it('builds custom providers from their kind, named after themselves', () => {
    expect(providers.get('azure-eu')).toMatchObject({ baseUrl: 'https://example.invalid/openai/v1', apiKey: 'az' });
    expect(adapter('azure-eu').family).toBe('azure-eu');
    expect(providers.get('mistral-eu')).toMatchObject({ baseUrl: 'https://api.eu.mistral.ai', apiKey: 'm' });
    expect(providers.get('cohere-private')).toMatchObject({ baseUrl: 'https://cohere.internal.example', apiKey: 'c' });
  });

  it('renders errors in each family shape: OpenAI for compatible vendors, Mistral, Cohere', () => {
    for (const name of ['groq', 'deepseek', 'openrouter', 'together', 'xai', 'azure-eu']) expect(shapeOf(name), name).toEqual(['error']);
    for (const name of ['mistral', 'mistral-eu']) expect(shapeOf(name), name).toEqual(['object', 'message', 'type', 'param', 'code']);
    for (const name of ['cohere', 'cohere-private']) expect(shapeOf(name), name).toEqual(['id', 'message']);
  });

  it('injects stream usage only where the vendor needs it', () => {
    expect(Object.fromEntries(['groq', 'openrouter', 'deepseek', 'together', 'xai', 'azure-eu', 'mistral', 'mistral-eu'].map((n) => [n, injects(n)]))).toEqual({
      groq: false,
      openrouter: false,
      deepseek: true,
      together: true,
      xai: true,
      'azure-eu': true,
      mistral: false,
      'mistral-eu': false,
    });
  });

  it('meters the same endpoints for a custom Mistral or Cohere provider as for the built-in one', () => {
    for (const path of ['/v1/chat/completions', '/v1/embeddings', '/v1/models']) {
      expect(adapter('mistral-eu').describe('POST', path, {}), path).toEqual(adapter('mistral').describe('POST', path, {}));
    }
    for (const path of ['/v2/chat', '/v2/embed', '/v1/chat']) {
      expect(adapter('cohere-private').describe('POST', path, {}), path).toEqual(adapter('cohere').describe('POST', path, {}));
    }
  });
});
