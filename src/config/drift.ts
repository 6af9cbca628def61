import { createHash } from 'node:crypto';
import type { Config } from './schema.js';
import { isSecretField } from './secret-fields.js';

/**
 * What changed in the config file since `serve` read it. Serve reads its config once, at
 * start (keys, budgets, providers, prices: all of it); an edit applies at the next start.
 * These helpers let serve say so when the file changes under it (cli/serve-config-watch.ts)
 * and let `keys list` / `tui` tell the config they read from the one the running serve
 * enforces (cli/serve-config-record.ts).
 */

/** A config flattened to its leaves: dotted path → the value as shown (`keys.app.budget.limit_usd` → `1`). */
export type ConfigFacts = Readonly<Record<string, string>>;

/** How many changed fields a message names; the rest are counted. */
export const CHANGES_SHOWN = 12;

/**
 * The leaves of `config`, by dotted path. Entries of a list that have a `name` (budgets)
 * are named by it, the others by their index. A secret field (secret-fields.ts) shows
 * only a short hash of its value, so a changed API key is named, never printed.
 */
export function configFacts(config: Config): ConfigFacts {
  const facts: Record<string, string> = {};
  const walk = (value: unknown, at: Array<string | number>) => {
    if (at.length > 0 && isSecretField(at)) {
      facts[at.join('.')] = value === undefined ? '(unset)' : `(secret ${createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 8)})`;
      return;
    }
    if (Array.isArray(value) && value.every(isNamed)) {
      for (const item of value) walk(item, [...at, item.name]);
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) if (v !== undefined) walk(v, [...at, k]);
    } else {
      facts[at.join('.')] = typeof value === 'string' ? value : JSON.stringify(value);
    }
  };
  walk(config, []);
  return facts;
}

const isNamed = (v: unknown): v is { name: string } => v !== null && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string';

/** Each field that differs between `before` and `after`, as `path old → new` (`(none)` for a field one side lacks), in `after`'s order then removed ones. */
export function configChanges(before: ConfigFacts, after: ConfigFacts): string[] {
  const out: string[] = [];
  const shown = (v: string | undefined) => v ?? '(none)';
  for (const [field, value] of Object.entries(after)) if (before[field] !== value) out.push(`${field} ${shown(before[field])} → ${value}`);
  for (const [field, value] of Object.entries(before)) if (!Object.hasOwn(after, field)) out.push(`${field} ${value} → (none)`);
  return out;
}

/** The changes as one phrase: the first CHANGES_SHOWN, then how many more. */
export function changesText(changes: readonly string[]): string {
  const more = changes.length - CHANGES_SHOWN;
  return changes.slice(0, CHANGES_SHOWN).join(', ') + (more > 0 ? ` and ${more} more` : '');
}

/**
 * The fingerprint of what `keys list` and `tui` show from the config (`keys:` and
 * `budgets:`): sha256 hex of them as JSON with sorted object keys, so reordering the file
 * does not count as a change. Serve records the one it started with.
 */
export function declaredFingerprint(config: Pick<Config, 'keys' | 'budgets'>): string {
  return createHash('sha256').update(sortedJson({ keys: config.keys, budgets: config.budgets })).digest('hex');
}

function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
