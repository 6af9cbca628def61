import { mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ServePlan } from './serve-run.js';

/**
 * How `serve` on Bun hands its plan to a process of its own. The process that parsed the
 * flags and read the config writes the plan to a private file and starts the program again
 * (execve: same PID, arguments and streams) with SERVE_PLAN_ENV naming the file; the entry
 * (main.ts) then runs cli/serve-entry.ts instead of the CLI, so the serving process never
 * loads the command parser, the config loader or zod (bench/README.md, "Serve in a process
 * of its own": ~11 MB less at listening, ~15–30 MB less under load).
 *
 * The plan holds the provider keys and the admin token, as the config does: the file is
 * created 0600 in a folder of its own (0700) and removed, with the folder, as soon as it is
 * read, so it exists for the few milliseconds of the restart.
 */

/** The variable that names the plan file; set only by serve for its own restart. */
export const SERVE_PLAN_ENV = 'TOKOMETER_SERVE_PLAN';

const FORMAT = 'tokometer-serve-plan/1';
const FOLDER_PREFIX = 'tokometer-serve-';
const FILE_NAME = 'plan.json';

/** Writes `plan` to a new private file under `dir`; returns its path. @throws the file system's error (nothing is left behind). */
export function writeServePlan(plan: ServePlan, dir = tmpdir()): string {
  const folder = mkdtempSync(path.join(dir, FOLDER_PREFIX));
  const file = path.join(folder, FILE_NAME);
  try {
    writeFileSync(file, JSON.stringify({ format: FORMAT, plan }), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    discardServePlan(file);
    throw error;
  }
  return file;
}

/**
 * Removes a plan file and its folder (the restart did not happen, or the plan was read).
 * Only a path of writeServePlan's making is touched: the variable could name any file.
 */
export function discardServePlan(file: string): void {
  const folder = path.dirname(file);
  if (path.basename(file) !== FILE_NAME || !path.basename(folder).startsWith(FOLDER_PREFIX)) return;
  rmSync(file, { force: true });
  try {
    rmdirSync(folder);
  } catch {
    // Not empty or already gone: left as it is.
  }
}

/** Reads the plan at `file` and removes it. @throws Error saying what is wrong with it. */
export function takeServePlan(file: string): ServePlan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`${SERVE_PLAN_ENV} names ${file}, which cannot be read (${(error as Error).message}); it is set only by serve for its own restart: unset it and run serve again`);
  } finally {
    discardServePlan(file);
  }
  const parsed = parseJson(text) as { format?: unknown; plan?: ServePlan } | null;
  if (parsed?.format !== FORMAT || typeof parsed.plan !== 'object' || parsed.plan === null) throw new Error(`${file} is not a serve plan of this tokometer (${FORMAT})`);
  return parsed.plan;
}

/** The JSON value of `text`, or null when it is not JSON. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
