/**
 * The one table of built-in providers (SPEC §2): everything tokometer knows about a
 * provider it serves without config. The config schema and loader (family words, key
 * environment variables), the registry (adapters, base URLs), the pricing catalog
 * mapping and the caching detector's hints are all derived from it.
 *
 * Pure data with no imports, so every layer may read it.
 */

/** API families tokometer speaks: one adapter each. Other vendors speak the openai family. */
export const PROVIDER_FAMILIES = ['openai', 'anthropic', 'gemini', 'mistral', 'cohere'] as const;

/** One of the API families tokometer speaks. */
export type ProviderFamily = (typeof PROVIDER_FAMILIES)[number];

/** The family of a provider name that is neither built in nor given a family: an OpenAI-compatible vendor. */
export const DEFAULT_FAMILY: ProviderFamily = 'openai';

/**
 * How a provider's prompt caching is switched on, for the audit's advice:
 * `marked` = only prefixes the client marks are cached (Anthropic `cache_control`);
 * `implicit` = identical prefixes are cached implicitly, long fixed context can be cached
 * explicitly (Gemini `cachedContent`); `automatic` = identical prefixes are cached by the provider.
 */
export type PromptCaching = 'marked' | 'implicit' | 'automatic';

/** What tokometer knows about one built-in provider. */
export interface BuiltinProvider {
  family: ProviderFamily;
  /** Upstream base URL used when the config sets none; `/proxy/<name>/<path>` goes to `<baseUrl><path>`. */
  baseUrl: string;
  /** Environment variables the API key falls back to when the config sets none, the first non-empty one winning. */
  keyEnv: readonly string[];
  /** The provider's id in the price catalog (@pydantic/genai-prices). */
  catalogId: string;
  /**
   * True when the provider sells its own models at its own prices, so an OpenRouter-style
   * `<name>/<model>` names its price list; false for hosts of other vendors' models.
   */
  firstParty: boolean;
  promptCaching: PromptCaching;
}

/** The built-in providers, in display order (`prices list` lists catalog providers in this order). */
export const BUILTIN_PROVIDERS = {
  openai: { family: 'openai', baseUrl: 'https://api.openai.com/v1', keyEnv: ['OPENAI_API_KEY'], catalogId: 'openai', firstParty: true, promptCaching: 'automatic' },
  anthropic: { family: 'anthropic', baseUrl: 'https://api.anthropic.com', keyEnv: ['ANTHROPIC_API_KEY'], catalogId: 'anthropic', firstParty: true, promptCaching: 'marked' },
  gemini: {
    family: 'gemini',
    baseUrl: 'https://generativelanguage.googleapis.com',
    keyEnv: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
    catalogId: 'google',
    firstParty: true,
    promptCaching: 'implicit',
  },
  mistral: { family: 'mistral', baseUrl: 'https://api.mistral.ai/v1', keyEnv: ['MISTRAL_API_KEY'], catalogId: 'mistral', firstParty: true, promptCaching: 'automatic' },
  cohere: { family: 'cohere', baseUrl: 'https://api.cohere.com', keyEnv: ['CO_API_KEY'], catalogId: 'cohere', firstParty: true, promptCaching: 'automatic' },
  groq: { family: 'openai', baseUrl: 'https://api.groq.com/openai/v1', keyEnv: ['GROQ_API_KEY'], catalogId: 'groq', firstParty: false, promptCaching: 'automatic' },
  deepseek: { family: 'openai', baseUrl: 'https://api.deepseek.com', keyEnv: ['DEEPSEEK_API_KEY'], catalogId: 'deepseek', firstParty: true, promptCaching: 'automatic' },
  openrouter: { family: 'openai', baseUrl: 'https://openrouter.ai/api/v1', keyEnv: ['OPENROUTER_API_KEY'], catalogId: 'openrouter', firstParty: false, promptCaching: 'automatic' },
  together: { family: 'openai', baseUrl: 'https://api.together.xyz/v1', keyEnv: ['TOGETHER_API_KEY'], catalogId: 'together', firstParty: false, promptCaching: 'automatic' },
  xai: { family: 'openai', baseUrl: 'https://api.x.ai/v1', keyEnv: ['XAI_API_KEY'], catalogId: 'x-ai', firstParty: true, promptCaching: 'automatic' },
} as const satisfies Readonly<Record<string, BuiltinProvider>>;

/** Names of the providers tokometer knows without config. */
export type BuiltinProviderName = keyof typeof BUILTIN_PROVIDERS;

/** The built-in provider names, in table order. */
export const BUILTIN_PROVIDER_NAMES = Object.keys(BUILTIN_PROVIDERS) as BuiltinProviderName[];

export function isBuiltinProvider(name: string): name is BuiltinProviderName {
  return Object.hasOwn(BUILTIN_PROVIDERS, name);
}

/** The built-in provider called `name`, or undefined (also for `constructor`, `__proto__` …). */
export function builtinProvider(name: string): BuiltinProvider | undefined {
  return isBuiltinProvider(name) ? BUILTIN_PROVIDERS[name] : undefined;
}

/** A provider's family: as configured, else its built-in family, else DEFAULT_FAMILY. The only place this default is chosen. */
export function familyOf(name: string, configured?: ProviderFamily): ProviderFamily {
  return configured ?? builtinProvider(name)?.family ?? DEFAULT_FAMILY;
}
