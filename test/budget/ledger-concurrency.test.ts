import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BudgetLedger, type Reservation } from '../../src/budget/ledger.js';
import { tagBudget } from './helpers.js';

interface Call {
  est: number;
  /** real cost = est * factor */
  factor: number;
}

/**
 * Runs calls through a ledger with a key budget and a tag budget (both see every call),
 * interleaving reserve and settle as `schedule` dictates, and returns what was spent.
 */
function simulate(keyLimit: number, tagLimit: number, calls: Call[], schedule: number[]) {
  const ledger = new BudgetLedger({
    clock: () => Date.parse('2026-11-20T12:00:00Z'),
    timeZone: 'Europe/Berlin',
    keyBudgets: new Map([['k', { limitNano: keyLimit, period: 'month', alertAt: [], soft: false }]]),
    tagBudgets: [tagBudget('team', 0, { limitNano: tagLimit, match: { team: 'a' } })],
  });
  const inflight: { r: Reservation; real: number; est: number }[] = [];
  let next = 0;
  let spent = 0;
  let maxReal = 0;
  let excess = 0;
  let admitted = 0;
  const settle = (i: number) => {
    const [c] = inflight.splice(i, 1);
    ledger.settle(c!.r, c!.real);
    spent += c!.real;
  };
  const start = () => {
    const call = calls[next++]!;
    const real = Math.round(call.est * call.factor);
    const r = ledger.reserve({ keyName: 'k', tags: { team: 'a' }, estimateNano: call.est });
    if (!r.ok) return;
    admitted++;
    maxReal = Math.max(maxReal, real);
    excess += Math.max(0, real - call.est);
    inflight.push({ r, real, est: call.est });
  };
  for (const n of schedule) {
    if ((n % 3 === 0 || next >= calls.length) && inflight.length > 0) settle(Math.floor(n / 3) % inflight.length);
    else if (next < calls.length) start();
  }
  while (next < calls.length) start(); // the rest arrive all at once, before anything settles
  while (inflight.length > 0) settle(inflight.length - 1);
  return { ledger, spent, maxReal, excess, admitted };
}

const callArb = (maxFactor: number) => fc.record({ est: fc.integer({ min: 0, max: 400 }), factor: fc.double({ min: 0, max: maxFactor, noNaN: true }) });
const scenario = (maxFactor: number) =>
  fc.record({
    keyLimit: fc.integer({ min: 0, max: 2000 }),
    tagLimit: fc.integer({ min: 0, max: 2000 }),
    calls: fc.array(callArb(maxFactor), { minLength: 1, maxLength: 200 }),
    schedule: fc.array(fc.nat({ max: 10_000 }), { maxLength: 600 }),
  });

describe('no overshoot under concurrency (fast-check)', () => {
  it('real cost <= estimate: recorded spend never exceeds any limit by more than one call’s real cost', () => {
    fc.assert(
      fc.property(scenario(1), ({ keyLimit, tagLimit, calls, schedule }) => {
        const { ledger, spent, maxReal } = simulate(keyLimit, tagLimit, calls, schedule);
        expect(spent).toBeLessThanOrEqual(Math.min(keyLimit, tagLimit) + maxReal);
        const states = ledger.snapshot();
        for (const s of states) {
          expect(s.spentNano).toBe(spent);
          expect(s.reservedNano).toBe(0);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('real cost may exceed the estimate: overshoot is bounded by one call plus the underestimates', () => {
    fc.assert(
      fc.property(scenario(4), ({ keyLimit, tagLimit, calls, schedule }) => {
        const { spent, maxReal, excess } = simulate(keyLimit, tagLimit, calls, schedule);
        expect(spent).toBeLessThanOrEqual(Math.min(keyLimit, tagLimit) + Math.max(maxReal, excess));
      }),
      { numRuns: 1000 },
    );
  });

  it('never deadlocks: with nothing in flight and spend under the limit, any estimate is admitted', () => {
    fc.assert(
      fc.property(scenario(1), fc.integer({ min: 0, max: 1e9 }), ({ keyLimit, tagLimit, calls, schedule }, big) => {
        const { ledger, spent } = simulate(keyLimit, tagLimit, calls, schedule);
        const r = ledger.reserve({ keyName: 'k', tags: { team: 'a' }, estimateNano: big });
        expect(r.ok).toBe(spent < Math.min(keyLimit, tagLimit));
      }),
      { numRuns: 300 },
    );
  });

  it('200 calls reserved before any settles: spend stays within limit + one call', () => {
    const calls = Array.from({ length: 200 }, (_, i) => ({ est: 100, factor: (i % 7) / 7 }));
    const { spent, maxReal, admitted } = simulate(1000, 1e9, calls, []);
    expect(admitted).toBe(10);
    expect(spent).toBeLessThanOrEqual(1000 + maxReal);
  });
});
