import { keyBudgetFromConfig } from '../budget/types.js';
import type { KeyConfig } from '../config/schema.js';
import type { KeyDeclaration } from './effective.js';

/** The config's `keys:` section as declarations in stored units (budgets in nano-USD). */
export function keyDeclarations(keys: Readonly<Record<string, KeyConfig>>): Record<string, KeyDeclaration> {
  const out: Record<string, KeyDeclaration> = {};
  for (const [name, k] of Object.entries(keys)) {
    const d: KeyDeclaration = {};
    if (k.tags !== undefined) d.tags = { ...k.tags };
    if (k.providers !== undefined) d.providers = [...k.providers];
    if (k.models !== undefined) d.models = [...k.models];
    if (k.budget !== undefined) d.budget = keyBudgetFromConfig(k.budget);
    out[name] = d;
  }
  return out;
}
