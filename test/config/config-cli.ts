import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { edgesFor } from '../../src/edges.js';
import { configDir, type FileText } from './config-files.js';

/** `tokometer config check` in-process on a fresh folder holding `yaml` as tokometer.yaml: exit code and what it printed. */
export async function configCheck(yaml: FileText): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const ctx: CliContext = { edges: edgesFor('node'), env: {}, cwd: configDir({ 'tokometer.yaml': yaml }), clock: () => 0, out: (t) => void (out += t), err: (t) => void (err += t), isTTY: false };
  const code = await runCli(['config', 'check'], ctx);
  return { code, out, err };
}

/**
 * `tokometer serve` in-process in `cwd` (its tokometer.yaml, an in-memory database, port 0),
 * stopped by SIGTERM once it listens: its exit code and the messages of the warnings it logged
 * (stderr is one JSON line per log entry).
 */
export async function serveStartWarnings(cwd: string): Promise<{ code: number; warnings: string[] }> {
  let err = '';
  const ctx: CliContext = {
    edges: edgesFor('node'),
    env: {},
    cwd,
    clock: () => Date.now(),
    out: (text) => {
      if (text.includes('listening on')) process.emit('SIGTERM', 'SIGTERM');
    },
    err: (text) => void (err += text),
    isTTY: false,
  };
  const code = await runCli(['serve', '--port', '0', '--db', ':memory:'], ctx);
  const warnings = err
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { level: string; msg: string })
    .filter((line) => line.level === 'warn')
    .map((line) => line.msg);
  return { code, warnings };
}

/** `tokometer serve` in-process in `cwd`, as serveStartWarnings runs it: the messages of every line it logged at info level. */
export async function serveStartInfo(cwd: string): Promise<string[]> {
  let err = '';
  const ctx: CliContext = {
    edges: edgesFor('node'),
    env: {},
    cwd,
    clock: () => Date.now(),
    out: (text) => {
      if (text.includes('listening on')) process.emit('SIGTERM', 'SIGTERM');
    },
    err: (text) => void (err += text),
    isTTY: false,
  };
  await runCli(['serve', '--port', '0', '--db', ':memory:'], ctx);
  return err
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { level: string; msg: string })
    .filter((line) => line.level === 'info')
    .map((line) => line.msg);
}

/** `tokometer ARGS` in-process in a fresh folder holding `yaml` as tokometer.yaml: exit code and what it printed. */
export async function cliWithConfig(yaml: FileText, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const ctx: CliContext = { edges: edgesFor('node'), env: {}, cwd: configDir({ 'tokometer.yaml': yaml }), clock: () => Date.parse('2026-11-27T12:00:00Z'), out: (t) => void (out += t), err: (t) => void (err += t), isTTY: false };
  const code = await runCli(args, ctx);
  return { code, out, err };
}
