import { Command, CommanderError } from 'commander';
import { registerAuditCommand } from './audit.js';
import { registerConfigCommand } from './config.js';
import { registerDemoCommand } from './demo.js';
import { registerKeysCommand } from './keys.js';
import { registerPricesCommand } from './prices.js';
import { registerReconcileCommand } from './reconcile.js';
import { registerReportCommand } from './report.js';
import { configFor, dbToReadFor, openStoreFor } from './context.js';
import { pricerFor } from './price-book.js';
import { registerPricesReprice } from './prices-reprice.js';
import { registerPricesUpdate } from './prices-update.js';
import { registerServeCommand } from './serve.js';
import { registerTuiCommand } from './tui.js';
import type { CliContext } from './context.js';
import { reportFailure } from './output.js';
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
  registerAuditCommand(program, ctx);
  registerReportCommand(program, {
    openStore: (db) => openStoreFor(ctx, db.path, 'read', db.namedBy),
    pricer: (flags) => pricerFor(ctx, configFor(ctx, flags.config), flags.db),
    resolveDb: (dbFlag, configPath) => dbToReadFor(ctx, configFor(ctx, configPath), dbFlag),
    clock: ctx.clock,
    timeZone: (configPath) => configFor(ctx, configPath).timezone,
    economics: (configPath) => configFor(ctx, configPath).economics,
    out: ctx.out,
    err: ctx.err,
    isTTY: ctx.isTTY,
    env: ctx.env,
  });
  registerTuiCommand(program, ctx);
  registerReconcileCommand(program, ctx);
  registerDemoCommand(program, ctx);
  const prices = registerPricesCommand(program, {
    pricer: (flags) => pricerFor(ctx, configFor(ctx, flags.config), flags.db),
    listUnpricedModels: async (flags) => {
      const db = dbToReadFor(ctx, configFor(ctx, flags.config), flags.db);
      const store = await openStoreFor(ctx, db.path, 'read', db.namedBy);
      try {
        return await store.reports.unpricedModels();
      } finally {
        await store.close();
      }
    },
    out: ctx.out,
    clock: ctx.clock,
    timeZone: (configPath) => configFor(ctx, configPath).timezone,
  });
  registerPricesUpdate(prices, ctx);
  registerPricesReprice(prices, ctx);
  return program;
}

/** Runs the CLI and returns its exit code: 0 ok, 1 runtime failure, 2 bad usage or config, 3 reconcile differences. */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    return reportFailure(error, ctx.err);
  }
}

