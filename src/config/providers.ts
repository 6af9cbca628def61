import { type ProviderFamily, builtinProvider, familyOf } from '../providers/builtins.js';
import type { ProviderSettings } from '../providers/registry.js';
import type { Config, FamilyWord } from './schema.js';

/** Admin token fallback when `admin.token` is not set. */
export const ADMIN_TOKEN_ENV = 'TOKOMETER_ADMIN_TOKEN';

/** The config's `kind:` word as a family: `openai-compatible` is the openai family spoken by another vendor. */
export function familyOfWord(kind: FamilyWord): ProviderFamily {
  return kind === 'openai-compatible' ? 'openai' : kind;
}

/** Environment variables a provider's API key falls back to (none for providers that are not built in). */
export function keyEnvOf(name: string): readonly string[] {
  return builtinProvider(name)?.keyEnv ?? [];
}

/** First non-empty value among `names` in `env`, or undefined. */
export function firstEnv(env: Readonly<Record<string, string | undefined>>, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value) return value;
  }
  return undefined;
}

/**
 * The config's `providers:` as the registry takes them (plain settings, one family each).
 * Names keep the config's order; with a loaded config the built-ins come first.
 */
export function providerSettings(providers: Config['providers']): Record<string, ProviderSettings> {
  const out: Record<string, ProviderSettings> = {};
  for (const [name, p] of Object.entries(providers)) {
    const s: ProviderSettings = { family: familyOf(name, p.kind && familyOfWord(p.kind)) };
    if (p.base_url !== undefined) s.baseUrl = p.base_url;
    if (p.api_key !== undefined) s.apiKey = p.api_key;
    if (p.auth_header !== undefined) s.authHeader = p.auth_header;
    if (p.deployments !== undefined) s.deployments = p.deployments;
    if (p.connect_timeout_ms !== undefined) s.connectTimeoutMs = p.connect_timeout_ms;
    if (p.header_timeout_ms !== undefined) s.headersTimeoutMs = p.header_timeout_ms;
    if (p.idle_timeout_ms !== undefined) s.idleTimeoutMs = p.idle_timeout_ms;
    out[name] = s;
  }
  return out;
}
