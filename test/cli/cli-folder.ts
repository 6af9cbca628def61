import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { edgesFor } from '../../src/edges.js';

/** What one in-process run of the CLI gave: its exit code and everything it wrote. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/**
 * A fresh temp folder per test (made before each, removed after each; `prefix` names it)
 * and `cli(args)`, which runs the real command parser in-process there, as a user would
 * type the command in that folder: the environment `env` (default empty), no TTY, the clock
 * at 2026-12-01.
 * Call it at the top of a test file or describe; read `dir()` inside tests.
 */
export function cliFolder(prefix: string): { dir: () => string; cli: (args: string[], env?: Readonly<Record<string, string>>) => Promise<CliRun> } {
  let dir: string | undefined;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), prefix));
  });
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const current = () => {
    if (dir === undefined) throw new Error('cliFolder: no folder outside a test');
    return dir;
  };
  const cli = async (args: string[], env: Readonly<Record<string, string>> = {}): Promise<CliRun> => {
    let out = '';
    let err = '';
    const ctx: CliContext = {
      edges: edgesFor('node'),
      env,
      cwd: current(),
      clock: () => Date.parse('2026-12-01T00:00:00Z'),
      out: (t) => void (out += t),
      err: (t) => void (err += t),
      isTTY: false,
    };
    return { code: await runCli(args, ctx), out, err };
  };
  return { dir: current, cli };
}
