#!/usr/bin/env node
/**
 * Entry point: run the CLI (cli/run.ts detects the runtime once and picks its edges), or,
 * in the process `serve` started for itself on Bun (cli/serve-handoff.ts), the proxy alone.
 * `serve`'s call-record writer thread has an entry of its own, store/writer-entry.ts.
 */
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(import.meta.url);
// The variable's name is SERVE_PLAN_ENV (cli/serve-handoff.ts), spelled out to keep this file's imports to one.
if (process.env.TOKOMETER_SERVE_PLAN) void import('./cli/serve-entry.js').then((m) => m.serveFromPlan(entry));
else void import('./cli/run.js').then((m) => m.runMain(entry));
