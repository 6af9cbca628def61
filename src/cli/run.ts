import { edgesFor } from '../edges.js';
import { systemClock } from '../lib/clock.js';
import { detectRuntime } from '../runtime.js';
import type { CliContext } from './context.js';
import { runCli } from './program.js';

/** Runs the CLI with this process's arguments and streams; `entry` is the program's entry file. */
export function runMain(entry: string): void {
  const ctx: CliContext = {
    edges: edgesFor(detectRuntime()),
    env: process.env,
    cwd: process.cwd(),
    clock: systemClock,
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    isTTY: process.stdout.isTTY === true,
    entry,
  };
  runCli(process.argv.slice(2), ctx).then((code) => {
    process.exitCode = code;
    // Everything is flushed and closed by now; don't let a stray keep-alive socket hold the process.
    setTimeout(() => process.exit(code), 2000).unref();
  });
}
