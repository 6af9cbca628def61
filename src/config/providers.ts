import type { ProviderKind } from './schema.js';

/** Names of the providers tokometer knows without config (SPEC §2). */
export type BuiltinProvider = 'openai' | 'anthropic' | 'gemini' | 'mistral' | 'cohere' | 'groq' | 'deepseek' | 'openrouter' | 'together' | 'xai';

/**
 * Environment variables a built-in provider's API key falls back to when the config
 * sets none, in order of preference (the first non-empty one wins).
 */
export const PROVIDER_KEY_ENV: Readonly<Record<BuiltinProvider, readonly string[]>> = {
  openai: ['OPENAI_API_KEY'],
  anthropic: ['ANTHROPIC_API_KEY'],
  gemini: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
  mistral: ['MISTRAL_API_KEY'],
  cohere: ['CO_API_KEY'],
  groq: ['GROQ_API_KEY'],
  deepseek: ['DEEPSEEK_API_KEY'],
  openrouter: ['OPENROUTER_API_KEY'],
  together: ['TOGETHER_API_KEY'],
  xai: ['XAI_API_KEY'],
};

/** The API family each built-in provider speaks (base URLs live in providers/registry.ts). */
export const BUILTIN_PROVIDER_KIND: Readonly<Record<BuiltinProvider, ProviderKind>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  gemini: 'gemini',
  mistral: 'mistral',
  cohere: 'cohere',
  groq: 'openai-compatible',
  deepseek: 'openai-compatible',
  openrouter: 'openai-compatible',
  together: 'openai-compatible',
  xai: 'openai-compatible',
};

/** Admin token fallback when `admin.token` is not set. */
export const ADMIN_TOKEN_ENV = 'TOKOMETER_ADMIN_TOKEN';

export function isBuiltinProvider(name: string): name is BuiltinProvider {
  return Object.hasOwn(PROVIDER_KEY_ENV, name);
}

/** A provider's kind: as configured, else its built-in kind, else openai-compatible. */
export function providerKind(name: string, configured: ProviderKind | undefined): ProviderKind {
  if (configured) return configured;
  return isBuiltinProvider(name) ? BUILTIN_PROVIDER_KIND[name] : 'openai-compatible';
}

/** First non-empty value among `names` in `env`, or undefined. */
export function firstEnv(env: Readonly<Record<string, string | undefined>>, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value) return value;
  }
  return undefined;
}
