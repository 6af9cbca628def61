#!/usr/bin/env node
/** Entry point: detect the runtime once, pick its edges, run the CLI. */
import type { CliContext } from './cli/context.js';
import { runCli } from './cli/program.js';
import { edgesFor } from './edges.js';
import { systemClock } from './lib/clock.js';
import { detectRuntime } from './runtime.js';

const ctx: CliContext = {
  edges: edgesFor(detectRuntime()),
  env: process.env,
  cwd: process.cwd(),
  clock: systemClock,
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  isTTY: process.stdout.isTTY === true,
};

runCli(process.argv.slice(2), ctx).then((code) => {
  process.exitCode = code;
  // Everything is flushed and closed by now; don't let a stray keep-alive socket hold the process.
  setTimeout(() => process.exit(code), 2000).unref();
});
