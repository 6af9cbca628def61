import { edgesFor } from '../edges.js';
import { systemClock } from '../lib/clock.js';
import { detectRuntime } from '../runtime.js';
import type { CliContext } from './context.js';
import { invokedAs } from './invocation.js';
import { endProcess, pipeOutput } from './output.js';
import { runCli } from './program.js';

/** Runs the CLI with this process's arguments and streams; `entry` is the program's entry file. */
export function runMain(entry: string): void {
  const runtime = detectRuntime();
  const ctx: CliContext = {
    edges: edgesFor(runtime),
    env: process.env,
    cwd: process.cwd(),
    clock: systemClock,
    out: pipeOutput(process.stdout, (text) => void process.stderr.write(text)),
    err: (text) => void process.stderr.write(text),
    isTTY: process.stdout.isTTY === true,
    entry,
    invokedAs: invokedAs({ argv: process.argv, argv0: process.argv0, execPath: process.execPath, runtime, env: process.env, cwd: process.cwd() }),
  };
  void runCli(process.argv.slice(2), ctx).then(endProcess);
}
