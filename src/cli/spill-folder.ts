import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { ConfigError, UsageError } from '../lib/errors.js';

/**
 * What named a spill file the user chose: the serve flag, or the config's `store.spill_path`
 * (the loaded config, which locates the field in its file).
 */
export type SpillFileNamedBy = '--spill' | { config: Pick<LoadedConfig, 'problemAt'> };

/** Where `store.spill_path` sits in the config, for LoadedConfig.problemAt. */
const SPILL_PATH_FIELD = ['store', 'spill_path'] as const;

/**
 * Refuses a spill file (absolute path `spillPath`) serve could not make or write: its folder
 * missing or not a folder, the path itself a folder, or a folder this user may not write to
 * (the file is created, appended to and deleted there). serve checks it before it starts,
 * not when the database first refuses a write, since records spilled there would be lost;
 * `config check` checks `store.spill_path` the same way. Only for a file the user named:
 * the default spill file sits beside the database, whose folder the store's opener checks.
 * Only asks the file system; creates nothing.
 * @throws UsageError (exit 2) naming --spill, or ConfigError (exit 2) naming the config
 * file, the line and column of `store.spill_path` and the field; each says what to do.
 */
export function checkSpillFolder(spillPath: string, namedBy: SpillFileNamedBy): void {
  const field = namedBy === '--spill' ? '--spill' : 'store.spill_path';
  const problem = spillProblem(spillPath, field);
  if (problem === null) return;
  if (namedBy === '--spill') throw new UsageError(`--spill: ${problem}`);
  throw new ConfigError(namedBy.config.problemAt(SPILL_PATH_FIELD, problem));
}

/** What is wrong with `spillPath` and what to do, `field` naming what set it; null when serve can use it. */
export function spillProblem(spillPath: string, field: string): string | null {
  const folder = path.dirname(spillPath);
  if (!existsSync(folder)) return `the folder ${folder} does not exist; create it or point ${field} elsewhere`;
  if (!statSync(folder).isDirectory()) return `${folder} is a file, not a folder; point ${field} at a file in a folder that exists`;
  if (existsSync(spillPath) && statSync(spillPath).isDirectory()) {
    return `${spillPath} is a folder, not a file; point ${field} at a file in it, for example ${path.join(spillPath, 'tokometer.spill')}`;
  }
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    return `the folder ${folder} is not writable by this user, so the spill file cannot be made there; make it writable or point ${field} elsewhere`;
  }
  return null;
}
