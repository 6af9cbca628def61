import { describe, expect, it } from 'vitest';
import { proxySuite } from './proxy-suite.js';
import { raiseOnTwoReplicas } from './rearm-once.js';

/**
 * The SQLite side of pg-rearm-once.test.ts: two serve processes on one SQLite file (each
 * reloads keys another process changed) list a raised budget's `alerts_rearmed` once in
 * `tokometer keys history`, not once per process.
 */
describe('a raised key budget on two proxies sharing one SQLite file', () => {
  const suite = proxySuite({ scope: 'test' });

  it('writes its alerts_rearmed row once', async () => {
    const a = await suite.start();
    const b = await suite.start();
    expect(await raiseOnTwoReplicas(a.proxy, b.proxy, { together: false })).toEqual(['cli set', 'proxy alerts_rearmed']);
  }, 60_000);

  it('writes a row for each raise, also the same raise again after the limit was lowered back', async () => {
    const a = await suite.start();
    const b = await suite.start();
    expect(await raiseOnTwoReplicas(a.proxy, b.proxy, { raises: 2, together: false })).toEqual(['cli set', 'proxy alerts_rearmed', 'cli set', 'cli set', 'proxy alerts_rearmed']);
  }, 60_000);
});
