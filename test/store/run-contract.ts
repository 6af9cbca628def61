import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenDriver } from '../../src/store/types.js';
import type { ContractCase } from './fixtures.js';

export interface CaseResult {
  name: string;
  ok: boolean;
  error?: string;
}

/** Runs one contract case in a fresh temporary directory, removed afterwards. */
export async function runCase(c: ContractCase, open: OpenDriver): Promise<CaseResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tokometer-store-'));
  try {
    await c.run(open, dir);
    return { name: c.name, ok: true };
  } catch (err) {
    const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
    return { name: c.name, ok: false, error };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
