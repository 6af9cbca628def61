import { edgesFor } from '../edges.js';
import { systemClock } from '../lib/clock.js';
import { detectRuntime } from '../runtime.js';
import { endProcess, pipeOutput, reportFailure } from './output.js';
import { SERVE_PLAN_ENV, takeServePlan } from './serve-handoff.js';
import { runServe } from './serve-run.js';

/**
 * The entry of serve's own process (cli/serve-handoff.ts): runs the plan named by
 * SERVE_PLAN_ENV, with this process's streams, and ends the process with serve's exit code
 * (1 when it fails, as the CLI would). Loads the proxy and what it needs, never the CLI.
 * `entry` is the program's entry file, for the writer thread.
 */
export function serveFromPlan(entry: string): void {
  const err = (text: string) => void process.stderr.write(text);
  const file = process.env[SERVE_PLAN_ENV] ?? '';
  // Nothing this process starts should take the variable for its own.
  delete process.env[SERVE_PLAN_ENV];
  const deps = {
    edges: edgesFor(detectRuntime()),
    env: process.env,
    clock: systemClock,
    out: pipeOutput(process.stdout, err),
    err,
    entry,
    warnings: [],
  };
  new Promise<void>((resolve) => resolve(runServe(takeServePlan(file), deps))).then(
    () => endProcess(0),
    (error: unknown) => endProcess(reportFailure(error, err)),
  );
}
