import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../lib/errors.js';

/** What named a spill file the user chose: the serve flag or the config field. */
export type SpillFileNamedBy = '--spill' | 'store.spill_path';

/**
 * Refuses a spill file (absolute path `spillPath`) whose folder does not exist: serve
 * checks it before it starts, not when the database first refuses a write, since records
 * spilled there would be lost; `config check` checks `store.spill_path` the same way.
 * Only for a file the user named (`field`): the default spill file sits beside the
 * database, whose folder the store's opener checks.
 * @throws UsageError (exit 2) naming `field` and the missing folder.
 */
export function checkSpillFolder(spillPath: string, field: SpillFileNamedBy): void {
  const folder = path.dirname(spillPath);
  if (!existsSync(folder)) throw new UsageError(`${field}: the folder ${folder} does not exist; create it or point ${field} elsewhere`);
}
