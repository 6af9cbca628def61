#!/usr/bin/env node
/**
 * Entry point: run the CLI (cli/run.ts detects the runtime once and picks its edges).
 * `serve`'s call-record writer thread has an entry of its own, store/writer-entry.ts.
 */
import { fileURLToPath } from 'node:url';

void import('./cli/run.js').then((m) => m.runMain(fileURLToPath(import.meta.url)));
