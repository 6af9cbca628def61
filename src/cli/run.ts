import { edgesFor } from '../edges.js';
import { systemClock } from '../lib/clock.js';
import { detectRuntime } from '../runtime.js';
import type { CliContext } from './context.js';
import { invokedAs } from './invocation.js';
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
  runCli(process.argv.slice(2), ctx).then((code) => {
    process.exitCode = code;
    // Everything is flushed and closed by now; don't let a stray keep-alive socket hold the process.
    setTimeout(() => process.exit(code), 2000).unref();
  });
}

/**
 * The command output edge. When the reader of `stream` has gone (EPIPE: `tokometer prices
 * list | head`), the command ends right there, quietly and with exit 0, as `git log | head`
 * does: nobody is left to read the rest. Node reports a closed pipe as an 'error' event,
 * Bun may also throw from write(); both land here. Any other write error ends the command
 * with exit 1 and one line on stderr instead of an unhandled-error stack.
 */
export function pipeOutput(stream: NodeJS.WritableStream, err: (text: string) => void, exit: (code: number) => void = (code) => process.exit(code)): (text: string) => void {
  let ended = false;
  const fail = (error: unknown) => {
    if (ended) return;
    ended = true;
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED') return exit(0);
    err(`tokometer: cannot write the output: ${error instanceof Error ? error.message : String(error)}\n`);
    exit(1);
  };
  stream.on('error', fail);
  return (text) => {
    if (ended) return;
    try {
      stream.write(text);
    } catch (error) {
      fail(error);
    }
  };
}
