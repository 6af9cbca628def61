/**
 * The entry file of serve's call-record writer thread (store/writer-thread.ts; started by
 * writer-spawn.ts). The thread loads this and what it imports, not the program's whole
 * bundle; the Bun binary embeds it as a second entry point (package.json build:bin). The
 * thread runs on the process's runtime, so its SQLite driver is chosen here too.
 */
import { workerData } from 'node:worker_threads';
import { edgesFor } from '../edges.js';
import { detectRuntime } from '../runtime.js';
import { isWriterThreadData, runWriterThread } from './writer-thread.js';

if (isWriterThreadData(workerData)) void runWriterThread(workerData, () => edgesFor(detectRuntime()).openDriver());
