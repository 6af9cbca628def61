import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { edgesFor } from '../../src/edges.js';

/** The report command as a user runs it, for tests that read its table, JSON or CSV. */

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs `args` in `dir` (its tokometer.yaml, when present, is the config) on 2026-12-01, without a TTY. */
export async function cliIn(dir: string, args: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const ctx: CliContext = {
    edges: edgesFor('node'),
    env: {},
    cwd: dir,
    clock: () => Date.parse('2026-12-01T00:00:00Z'),
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    isTTY: false,
  };
  return { code: await runCli(args, ctx), out, err };
}

/** The cells of the first (or last) table line whose first cell is `label` (columns are two spaces or more apart). */
export function tableRow(out: string, label: string, last = false): string[] {
  const lines = out.split('\n');
  const line = (last ? [...lines].reverse() : lines).find((l) => l.split(/\s{2,}/)[0] === label);
  if (line === undefined) throw new Error(`no row ${label} in:\n${out}`);
  return line.trim().split(/\s{2,}/);
}

/** The cells of the matrix's row `label` (its header holds ` \ `), by column header (blank cells as ''): each right-aligned cell ends where its header does. */
export function matrixRow(out: string, label: string): Record<string, string> {
  const lines = out.split('\n');
  const at = lines.findIndex((l) => l.includes(' \\ '));
  const header = lines[at]!;
  const line = lines.slice(at + 1).find((l) => l.split(/\s{2,}/)[0] === label)!;
  const [first, ...names] = header.split(/\s{2,}/);
  const cells: Record<string, string> = {};
  let from = first!.length;
  for (const name of names) {
    const end = header.indexOf(name, from) + name.length;
    cells[name] = line.padEnd(end).slice(from, end).trim();
    from = end;
  }
  return cells;
}
