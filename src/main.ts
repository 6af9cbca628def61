#!/usr/bin/env node
/**
 * Entry point. On the main thread: detect the runtime once, pick its edges, run the CLI.
 * `serve` also starts its call-record writer thread from this file (so the Bun binary
 * needs no second entry point); there it runs the writer and loads nothing of the CLI.
 */
import { fileURLToPath } from 'node:url';
import { isMainThread, workerData } from 'node:worker_threads';
import { edgesFor } from './edges.js';
import { detectRuntime } from './runtime.js';
import { isWriterThreadData, runWriterThread } from './store/writer-thread.js';

if (!isMainThread && isWriterThreadData(workerData)) {
  // The thread runs on the same runtime as the process: its SQLite driver is chosen here too.
  void runWriterThread(workerData, () => edgesFor(detectRuntime()).openDriver());
} else {
  void import('./cli/run.js').then((m) => m.runMain(fileURLToPath(import.meta.url)));
}
