import type { ProviderAdapter } from './types.js';
import { BUILTIN_PROVIDER_NAMES, type ProviderFamily, builtinProvider, familyOf } from './builtins.js';
import { createCohereAdapter } from './cohere.js';
import { createMistralAdapter } from './mistral.js';
import { createOpenAiAdapter, type UpstreamAuthHeader } from './openai.js';
import type { DeploymentModels } from './openai-deployments.js';
import { createAnthropicAdapter } from './anthropic.js';
import { createGeminiAdapter } from './gemini.js';

/** A provider as the proxy uses it: its adapter, where to send calls, and with which key. */
export interface ProviderRuntime {
  /** The name in `/proxy/<name>/…`, e.g. `openai`, `groq`, `azure-eu`. */
  name: string;
  adapter: ProviderAdapter;
  /** The configured base URL without its query (`baseQuery`). */
  baseUrl: string;
  /**
   * The base URL's query without '?' (`api-version=2024-10-21`), merged into every upstream
   * request's query, the client's own value for a name winning (proxy/route.ts mergeQuery);
   * absent when it has none.
   */
  baseQuery?: string;
  /** The real provider key; null when none is configured (calls then get a clear 502, unless `keyless`). */
  apiKey: string | null;
  /**
   * True for a provider that is not built in, speaks the openai family and has no key (a
   * local ollama or vLLM server): its calls are forwarded with no upstream credential at all.
   * Built-in providers without a key keep the 502.
   */
  keyless?: boolean;
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
  /** Real provider key (never ''); absent = none: calls get a clear 502, or go without one (ProviderRuntime.keyless). */
  apiKey?: string;
  /** OpenAI family: how the key goes upstream (config `auth_header`). Absent: `Authorization: Bearer`. */
  authHeader?: UpstreamAuthHeader;
  /** OpenAI family: the model each Azure OpenAI deployment runs (config `deployments`). */
  deployments?: DeploymentModels;
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
const ADAPTERS: Readonly<Record<ProviderFamily, (name: string, s: ProviderSettings | undefined) => ProviderAdapter>> = {
  openai: (name, s) => createOpenAiAdapter({ family: name, ...(s?.authHeader === undefined ? {} : { authHeader: s.authHeader }), ...(s?.deployments === undefined ? {} : { deployments: s.deployments }) }),
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
    const configured = s?.baseUrl ?? builtinProvider(name)?.baseUrl;
    if (!configured) continue;
    const family = familyOf(name, s?.family);
    const q = configured.indexOf('?');
    table.set(name, {
      name,
      adapter: ADAPTERS[family](name, s),
      baseUrl: q === -1 ? configured : configured.slice(0, q),
      ...(q === -1 || q === configured.length - 1 ? {} : { baseQuery: configured.slice(q + 1) }),
      apiKey: s?.apiKey ?? null,
      ...(forwardsWithoutKey(name, family, s?.apiKey) ? { keyless: true } : {}),
      connectTimeoutMs: s?.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      headersTimeoutMs: s?.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
      idleTimeoutMs: s?.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    });
  }
  return table;
}

/**
 * Whether calls to provider `name` of `family` go upstream with no credential when it has no
 * `apiKey`: a provider that is not built in and speaks the openai family (a keyless
 * OpenAI-compatible server: ollama, vLLM). Built-in providers always need a key.
 */
export function forwardsWithoutKey(name: string, family: ProviderFamily, apiKey: string | undefined): boolean {
  return apiKey === undefined && family === 'openai' && builtinProvider(name) === undefined;
}
