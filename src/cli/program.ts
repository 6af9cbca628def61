import { Command, CommanderError } from 'commander';
import { registerConfigCommand } from './config.js';
import { registerKeysCommand } from './keys.js';
import { registerServeCommand } from './serve.js';
import type { CliContext } from './context.js';
import { VERSION } from '../version.js';

/** Builds the `tokometer` program; every subcommand registers itself with the context it needs. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('tokometer')
    .description('Self-hosted LLM cost meter: a local proxy that records every call with its tokens, cost and tags.')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();
  program.configureOutput({ writeOut: ctx.out, writeErr: ctx.err });
  registerServeCommand(program, ctx);
  registerKeysCommand(program, ctx);
  registerConfigCommand(program, ctx);
  return program;
}

/** Runs the CLI and returns its exit code: 0 ok, 1 runtime failure, 2 bad usage or config. */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const exitCode = (error as { exitCode?: unknown }).exitCode;
    if (exitCode === 2) {
      ctx.err(`tokometer: ${(error as Error).message}\n`);
      return 2;
    }
    ctx.err(`tokometer: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

