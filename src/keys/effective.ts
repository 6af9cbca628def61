import { looksLikeMeteringKey } from '../lib/ids.js';
import type { KeyBudget, KeyRecord } from '../store/types.js';

/**
 * The one rule for what a metering key allows: the stored key (keys create / set, the
 * admin API) merged with its declaration in the config (`keys.<name>` in YAML). Every
 * field the config declares wins over the stored one; tags are merged, the config's
 * winning per tag. The proxy enforces this, and the audit and the TUI show budgets by it.
 */

/** What the config declares for one key, in stored units (config/keys.ts converts the YAML). */
export interface KeyDeclaration {
  tags?: Readonly<Record<string, string>>;
  providers?: readonly string[];
  models?: readonly string[];
  budget?: KeyBudget;
  /** Name of the environment variable holding the key's secret (`serve` stores the key from it). */
  secretEnv?: string;
}

/** A metering key as the proxy enforces it. */
export interface EffectiveKey {
  name: string;
  /** Fixed tags; they win over request tags. */
  tags: Readonly<Record<string, string>>;
  /** Allowed providers; empty = all. */
  providers: readonly string[];
  /** Allowed models; empty = all. */
  models: readonly string[];
  budget: KeyBudget | null;
}

/** `stored` merged with `declared` (undefined when the config does not mention the key). */
export function effectiveKey(stored: KeyRecord, declared: KeyDeclaration | undefined): EffectiveKey {
  return {
    name: stored.name,
    tags: { ...stored.tags, ...(declared?.tags ?? {}) },
    providers: declared?.providers ?? stored.providers,
    models: declared?.models ?? stored.models,
    budget: declared?.budget ?? stored.budget,
  };
}

/** The declaration of key `name` in `declared` (own entries only: a key may be named `constructor`). */
export function declarationOf(declared: Readonly<Record<string, KeyDeclaration>>, name: string): KeyDeclaration | undefined {
  return Object.hasOwn(declared, name) ? declared[name] : undefined;
}

/** The active (not revoked) keys among `stored`, each merged with its declaration. */
export function effectiveKeys(stored: readonly KeyRecord[], declared: Readonly<Record<string, KeyDeclaration>>): EffectiveKey[] {
  return stored.filter((k) => k.revokedAt === null).map((k) => effectiveKey(k, declarationOf(declared, k.name)));
}

/**
 * Why `serve` cannot take declared key `name`'s secret from its `secretEnv` variable (unset,
 * or not a metering key: mk_ + 32 characters), or null when it can. The words serve logs
 * (proxy/auth.ts syncConfigKeys) and `config check` warns with.
 */
export function secretEnvProblem(name: string, secretEnv: string, env: Readonly<Record<string, string | undefined>>): string | null {
  const secret = env[secretEnv];
  return secret && looksLikeMeteringKey(secret) ? null : `key '${name}': environment variable ${secretEnv} is unset or not a metering key (mk_ + 32 characters)`;
}

/** The fields of a key a config declaration can set; a declared one wins over the stored value. */
export const DECLARABLE = ['budget', 'tags', 'providers', 'models'] as const;

/** The fields of a key its config declaration sets, which serve enforces over the stored ones. */
export function fromConfig(declared: KeyDeclaration | undefined): Array<(typeof DECLARABLE)[number]> {
  return declared === undefined ? [] : DECLARABLE.filter((f) => declared[f] !== undefined);
}
