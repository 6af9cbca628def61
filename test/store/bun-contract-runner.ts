/**
 * Runs the store contract with the bun:sqlite driver. Started by bun-sqlite.test.ts as
 * `bun run test/store/bun-contract-runner.ts`; prints one JSON line:
 * `{"results": CaseResult[]}` and exits 0 even when cases fail (the test reads the JSON).
 */
import { openDriver } from '../../src/store/drivers/bun-sqlite.js';
import { contractCases } from './contract.js';
import { runCase, type CaseResult } from './run-contract.js';

const results: CaseResult[] = [];
for (const c of contractCases) results.push(await runCase(c, openDriver));
process.stdout.write(`${JSON.stringify({ results })}\n`);
