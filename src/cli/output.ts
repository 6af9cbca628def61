import { ExitStatus } from '../lib/errors.js';

/** The process edges every entry shares (cli/run.ts, cli/serve-entry.ts): output, failures, the end. */

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

/**
 * Prints what ended a command (none for an ExitStatus) and returns its exit code: 2 for bad
 * usage or config (errors carrying exitCode 2), an ExitStatus's own code, else 1.
 */
export function reportFailure(error: unknown, err: (text: string) => void): number {
  if (error instanceof ExitStatus) return error.exitCode;
  err(`tokometer: ${error instanceof Error ? error.message : String(error)}\n`);
  return (error as { exitCode?: unknown } | null)?.exitCode === 2 ? 2 : 1;
}

/** Ends the process with `code` once the event loop is done, or 2 s from now: a stray keep-alive socket does not hold it. */
export function endProcess(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 2000).unref();
}
