import type { KeyDeclaration } from '../keys/effective.js';
import { keyBudgetFromConfig } from './budgets.js';
import type { KeyConfig } from './schema.js';

/**
 * The config's `keys:` section as declarations in stored units (budgets in nano-USD),
 * what the proxy, the audit and the TUI merge with the stored keys (keys/effective.ts)
 * and what `serve` creates keys from (`secret_env`).
 */
export function keyDeclarations(keys: Readonly<Record<string, KeyConfig>>): Record<string, KeyDeclaration> {
  const out: Record<string, KeyDeclaration> = {};
  for (const [name, k] of Object.entries(keys)) {
    const d: KeyDeclaration = {};
    if (k.tags !== undefined) d.tags = { ...k.tags };
    if (k.providers !== undefined) d.providers = [...k.providers];
    if (k.models !== undefined) d.models = [...k.models];
    if (k.budget !== undefined) d.budget = keyBudgetFromConfig(k.budget);
    if (k.secret_env !== undefined) d.secretEnv = k.secret_env;
    out[name] = d;
  }
  return out;
}
