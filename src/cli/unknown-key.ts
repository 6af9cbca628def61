import { closest } from '../lib/edit-distance.js';
import { UsageError } from '../lib/errors.js';
import type { KeyRecord } from '../store/types.js';

/** Active key names listed in the message, at most. */
const LISTED = 5;

/**
 * The refusal of `keys set` / `keys revoke` for `name`, which is no active key, saying what
 * exists and what to run: that the key is revoked (`stored`: its record, revoked), else a close
 * active name (lib/edit-distance.ts `closest`: within 2 edits), else the active keys (the first
 * LISTED by name and how many more), else that there is none and how to create one.
 * `keys`: the database's keys, revoked ones included or not; `cmd`: how the user runs
 * tokometer (`tokometer`, `npx tokometer`).
 */
export function noActiveKeyError(name: string, stored: KeyRecord | null, keys: readonly Pick<KeyRecord, 'name' | 'revokedAt'>[], cmd: string): UsageError {
  if (stored !== null && stored.revokedAt !== null) {
    return new UsageError(`key '${name}' is revoked and cannot be changed (\`${cmd} keys list --all\` shows it); create a key with \`${cmd} keys create NAME\``);
  }
  const active = keys.filter((k) => k.revokedAt === null).map((k) => k.name);
  if (active.length === 0) return new UsageError(`no active key named '${name}': this database has no active keys; create one with \`${cmd} keys create ${name}\``);
  const near = closest(name, active);
  if (near !== undefined) return new UsageError(`no active key named '${name}'; did you mean '${near}'? (\`${cmd} keys list\` shows the keys)`);
  const sorted = [...active].sort();
  const more = sorted.length - LISTED;
  const names = more > 0 ? `${sorted.slice(0, LISTED).join(', ')} and ${more} more` : sorted.length === 1 ? sorted[0]! : `${sorted.slice(0, -1).join(', ')} and ${sorted[sorted.length - 1]!}`;
  const are = sorted.length === 1 ? 'the active key is' : 'the active keys are';
  return new UsageError(`no active key named '${name}'; ${are} ${names} (\`${cmd} keys list\` shows ${sorted.length === 1 ? 'it' : 'them'})`);
}
