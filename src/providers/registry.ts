import type { Config, ProviderConfig } from '../config/schema.js';
import type { ProviderAdapter } from './types.js';
import { createCohereAdapter } from './cohere.js';
import { createMistralAdapter } from './mistral.js';
import { createOpenAiAdapter } from './openai.js';
import { createAnthropicAdapter } from './anthropic.js';
import { createGeminiAdapter } from './gemini.js';

/** API families tokometer speaks. OpenAI-compatible vendors use the openai family. */
export type ProviderFamily = 'openai' | 'anthropic' | 'gemini' | 'mistral' | 'cohere';

/** A provider as the proxy uses it: its adapter, where to send calls, and with which key. */
export interface ProviderRuntime {
  /** The name in `/proxy/<name>/…`, e.g. `openai`, `groq`, `azure-eu`. */
  name: string;
  adapter: ProviderAdapter;
  baseUrl: string;
  /** The real provider key; null when none is configured (calls then get a clear 502). */
  apiKey: string | null;
  /** ms to open the upstream connection. */
  connectTimeoutMs: number;
  /** ms to connect and receive response headers. */
  headersTimeoutMs: number;
  /** ms allowed between two body chunks. */
  idleTimeoutMs: number;
}

interface BuiltIn {
  family: ProviderFamily;
  baseUrl: string;
}

/** Built-in providers and their default base URLs (SPEC §2). */
export const BUILT_IN_PROVIDERS: Readonly<Record<string, BuiltIn>> = {
  openai: { family: 'openai', baseUrl: 'https://api.openai.com/v1' },
  anthropic: { family: 'anthropic', baseUrl: 'https://api.anthropic.com' },
  gemini: { family: 'gemini', baseUrl: 'https://generativelanguage.googleapis.com' },
  mistral: { family: 'mistral', baseUrl: 'https://api.mistral.ai/v1' },
  cohere: { family: 'cohere', baseUrl: 'https://api.cohere.com' },
  groq: { family: 'openai', baseUrl: 'https://api.groq.com/openai/v1' },
  deepseek: { family: 'openai', baseUrl: 'https://api.deepseek.com' },
  openrouter: { family: 'openai', baseUrl: 'https://openrouter.ai/api/v1' },
  together: { family: 'openai', baseUrl: 'https://api.together.xyz/v1' },
  xai: { family: 'openai', baseUrl: 'https://api.x.ai/v1' },
};

/**
 * Adapter factories per family, given the provider's name (OpenAI-compatible vendors
 * differ in small ways the openai adapter knows by name). A family without one is not served.
 */
const ADAPTERS: Partial<Record<ProviderFamily, (name: string) => ProviderAdapter>> = {
  openai: (name) => createOpenAiAdapter({ family: name }),
  anthropic: () => createAnthropicAdapter(),
  gemini: () => createGeminiAdapter(),
  mistral: (name) => createMistralAdapter(name),
  cohere: (name) => createCohereAdapter(name),
};

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_HEADERS_TIMEOUT_MS = 300_000;
const DEFAULT_IDLE_TIMEOUT_MS = 300_000;

function familyOf(name: string, config: ProviderConfig | undefined): ProviderFamily | null {
  const kind = config?.kind;
  if (kind === 'openai-compatible') return 'openai';
  if (kind) return kind;
  return BUILT_IN_PROVIDERS[name]?.family ?? null;
}

/**
 * Builds the provider table from the built-ins plus the config's `providers:`.
 */
export function buildProviders(config: Config): Map<string, ProviderRuntime> {
  const names = new Set([...Object.keys(BUILT_IN_PROVIDERS), ...Object.keys(config.providers)]);
  const table = new Map<string, ProviderRuntime>();
  for (const name of names) {
    const pc = config.providers[name];
    const family = familyOf(name, pc);
    const makeAdapter = family ? ADAPTERS[family] : undefined;
    const baseUrl = pc?.base_url ?? BUILT_IN_PROVIDERS[name]?.baseUrl;
    if (!makeAdapter || !baseUrl) continue;
    table.set(name, {
      name,
      adapter: makeAdapter(name),
      baseUrl,
      apiKey: pc?.api_key ?? null,
      connectTimeoutMs: pc?.connect_timeout_ms ?? DEFAULT_CONNECT_TIMEOUT_MS,
      headersTimeoutMs: pc?.header_timeout_ms ?? DEFAULT_HEADERS_TIMEOUT_MS,
      idleTimeoutMs: pc?.idle_timeout_ms ?? DEFAULT_IDLE_TIMEOUT_MS,
    });
  }
  return table;
}
