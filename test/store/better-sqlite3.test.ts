import { describe, it } from 'vitest';
import type { OpenDriver } from '../../src/store/types.js';
import { contractCases } from './contract.js';
import { runCase } from './run-contract.js';

// Loaded the way the lead loads it under Node: a dynamic import, so Bun builds never need the native module.
const { openDriver } = (await import('../../src/store/drivers/better-sqlite3.js')) as { openDriver: OpenDriver };

describe('store contract on better-sqlite3', () => {
  for (const c of contractCases) {
    it(c.name, async () => {
      const r = await runCase(c, openDriver);
      if (!r.ok) throw new Error(r.error);
    });
  }
});
