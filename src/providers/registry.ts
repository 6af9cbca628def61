import type { ProviderAdapter } from './types.js';
import { BUILTIN_PROVIDER_NAMES, type ProviderFamily, builtinProvider, familyOf } from './builtins.js';
import { createCohereAdapter } from './cohere.js';
import { createMistralAdapter } from './mistral.js';
import { createOpenAiAdapter } from './openai.js';
import { createAnthropicAdapter } from './anthropic.js';
import { createGeminiAdapter } from './gemini.js';

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
  /** ms from the request on its connection to the response headers (the connect has connectTimeoutMs; Bun's fetch client, which cannot tell them apart, counts both here). */
  headersTimeoutMs: number;
  /** ms allowed between two body chunks. */
  idleTimeoutMs: number;
}

/**
 * One provider's settings as the config loader resolved them (config/providers.ts
 * `providerSettings`). Absent fields take the built-in provider's value, then the defaults.
 */
export interface ProviderSettings {
  /** Absent = the built-in provider's family, else the default (builtins.ts `familyOf`). */
  family?: ProviderFamily;
  /** http(s) base URL; absent = the built-in provider's. A provider with neither is not served. */
  baseUrl?: string;
  /** Real provider key (never ''); absent = none, calls get a clear 502. */
  apiKey?: string;
  /** ms to open the upstream connection. */
  connectTimeoutMs?: number;
  /** ms from the request on its connection to the response headers (the connect has connectTimeoutMs; Bun's fetch client, which cannot tell them apart, counts both here). */
  headersTimeoutMs?: number;
  /** ms allowed between two body chunks. */
  idleTimeoutMs?: number;
}

/**
 * Adapter factories per family, given the provider's name (OpenAI-compatible vendors
 * differ in small ways the openai adapter knows by name).
 */
const ADAPTERS: Readonly<Record<ProviderFamily, (name: string) => ProviderAdapter>> = {
  openai: (name) => createOpenAiAdapter({ family: name }),
  anthropic: () => createAnthropicAdapter(),
  gemini: () => createGeminiAdapter(),
  mistral: (name) => createMistralAdapter(name),
  cohere: (name) => createCohereAdapter(name),
};

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_HEADERS_TIMEOUT_MS = 300_000;
const DEFAULT_IDLE_TIMEOUT_MS = 300_000;

/**
 * The provider table: every built-in provider plus the configured ones (built-ins first,
 * then `settings` in its order), each with its adapter, base URL, key and timeouts.
 */
export function buildProviders(settings: Readonly<Record<string, ProviderSettings>>): Map<string, ProviderRuntime> {
  const names = new Set([...BUILTIN_PROVIDER_NAMES, ...Object.keys(settings)]);
  const table = new Map<string, ProviderRuntime>();
  for (const name of names) {
    const s = Object.hasOwn(settings, name) ? settings[name] : undefined;
    const baseUrl = s?.baseUrl ?? builtinProvider(name)?.baseUrl;
    if (!baseUrl) continue;
    table.set(name, {
      name,
      adapter: ADAPTERS[familyOf(name, s?.family)](name),
      baseUrl,
      apiKey: s?.apiKey ?? null,
      connectTimeoutMs: s?.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      headersTimeoutMs: s?.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
      idleTimeoutMs: s?.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    });
  }
  return table;
}
