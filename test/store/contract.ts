import { dbCases } from './contract-db.js';
import { migrationCases } from './contract-migrations.js';
import { moduleCases } from './contract-modules.js';
import { openCases } from './contract-open.js';
import { queueCases } from './contract-queue.js';
import { storeCases } from './contract-store.js';
import { writerThreadCases } from './contract-writer-thread.js';
import type { ContractCase } from './fixtures.js';

export type { ContractCase } from './fixtures.js';

/**
 * The store contract: every case must pass on every SqlDriver. Runtime-neutral (only
 * node:assert/strict, node:fs, node:path, node:os), so it runs under vitest on Node and
 * under `bun run` (see bun-contract-runner.ts). Each case gets a fresh empty tmpDir.
 */
export const contractCases: readonly ContractCase[] = [...dbCases, ...migrationCases, ...storeCases, ...moduleCases, ...openCases, ...queueCases, ...writerThreadCases];
