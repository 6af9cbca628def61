import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ABORTED, BudgetLedger, Reservation, type Blocked, type WaitResult } from '../../src/budget/ledger.js';
import { keyBudget, tagBudget } from './helpers.js';

const LIMIT = 1000;

type Command =
  | { op: 'arrive'; estimate: number; realPercent: number; team: boolean }
  | { op: 'settle'; pick: number }
  | { op: 'cancel'; pick: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('arrive' as const), estimate: fc.integer({ min: 0, max: 700 }), realPercent: fc.integer({ min: 0, max: 100 }), team: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('settle' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cancel' as const), pick: fc.nat() }) },
);

interface Call {
  id: number;
  estimate: number;
  real: number;
  team: boolean;
  controller: AbortController;
  state: 'waiting' | 'in-flight' | 'settled' | 'refused' | 'cancelled';
  reservation: Reservation | null;
}

/** Lets the admission promises' continuations run. */
const flush = () => new Promise((r) => setImmediate(r));

/**
 * Random interleavings of arrivals (reserve, or wait), settles and cancels (client aborts)
 * against a key budget and, for some calls, a shared tag budget too. Real costs never exceed
 * estimates (the hypothesis of policy.ts).
 */
async function run(commands: Command[], withTeam: boolean) {
  const ledger = new BudgetLedger({
    clock: () => Date.parse('2026-11-20T12:00:00Z'),
    timeZone: 'UTC',
    keyBudgets: new Map([['k', { ...keyBudget(0), limitNano: LIMIT, alertAt: [] }]]),
    tagBudgets: withTeam ? [{ ...tagBudget('team', 0, { match: { team: 'a' } }), limitNano: LIMIT }] : [],
  });
  const calls: Call[] = [];
  const admittedOrder: number[] = [];
  const violations: string[] = [];
  const spentOf = (name: string) => ledger.snapshot().find((s) => s.name === name)!.spentNano;

  const onResult = (call: Call, r: WaitResult) => {
    if (r === ABORTED) {
      call.state = 'cancelled';
    } else if (r.ok) {
      call.state = 'in-flight';
      call.reservation = r;
      admittedOrder.push(call.id);
    } else {
      call.state = 'refused';
      const b = (r as Blocked).blocked;
      // A refusal is only ever for a spent cap (no wait bound here, so never "busy").
      if (b.reason !== 'exhausted' || b.spentNano < b.limitNano) violations.push(`call ${call.id} refused with ${b.reason} at ${b.spentNano}/${b.limitNano}`);
    }
  };
  const settle = (call: Call) => {
    ledger.settle(call.reservation!, call.real);
    call.state = 'settled';
  };

  for (const c of commands) {
    if (c.op === 'arrive') {
      const call: Call = { id: calls.length, estimate: c.estimate, real: Math.floor((c.estimate * c.realPercent) / 100), team: withTeam && c.team, controller: new AbortController(), state: 'waiting', reservation: null };
      calls.push(call);
      const r = ledger.admit({ keyName: 'k', tags: call.team ? { team: 'a' } : {}, estimateNano: call.estimate }, { waitMs: Infinity, signal: call.controller.signal });
      if (r instanceof Promise) void r.then((result) => onResult(call, result));
      else onResult(call, r);
    } else {
      const pool = calls.filter((x) => x.state === (c.op === 'settle' ? 'in-flight' : 'waiting'));
      if (pool.length === 0) continue;
      const call = pool[c.pick % pool.length]!;
      if (c.op === 'settle') settle(call);
      else call.controller.abort();
    }
    await flush();
  }
  // Drain: settle whatever is in flight until nothing is left in flight or waiting.
  for (let round = 0; round < 10_000; round++) {
    const inFlight = calls.filter((x) => x.state === 'in-flight');
    if (inFlight.length === 0) break;
    for (const call of inFlight) settle(call);
    await flush();
  }
  return { ledger, calls, admittedOrder, violations, spentOf };
}

describe('budget admission under random interleavings (fast-check)', () => {
  it.each([
    ['a key budget', false],
    ['a key budget and a shared tag budget', true],
  ])('%s: spend < cap + one call, refusals only for a spent cap, nobody left waiting, nothing left held', async (_, withTeam) => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { maxLength: 60 }), async (commands) => {
        const { ledger, calls, admittedOrder, violations } = await run(commands, withTeam);
        expect(violations).toEqual([]);
        // Liveness: once the calls in flight settle, no caller is left waiting (no deadlock).
        expect(calls.filter((x) => x.state === 'waiting' || x.state === 'in-flight')).toEqual([]);
        expect(ledger.waiters).toBe(0);
        for (const s of ledger.snapshot()) {
          const counted = calls.filter((x) => x.state === 'settled' && (s.name === 'k' || x.team));
          const largest = Math.max(0, ...counted.map((x) => x.real));
          expect(s.spentNano).toBe(counted.reduce((sum, x) => sum + x.real, 0));
          // The SPEC §5 guarantee: never more than one call over the cap.
          expect(s.spentNano < s.limitNano + largest || s.spentNano <= s.limitNano).toBe(true);
          expect(s).toMatchObject({ reservedNano: 0, inFlight: 0, waiting: 0 });
        }
        // One budget: callers are admitted strictly in arrival order.
        if (!withTeam) expect(admittedOrder).toEqual([...admittedOrder].sort((a, b) => a - b));
      }),
      { numRuns: 300 },
    );
  });

  it('the interleaving of issue #14: a call meeting a full reservation book waits and is served', async () => {
    // With the old rule 4 the second call was refused as "exhausted" with $0.00088 unspent.
    const { calls, violations } = await run(
      [
        { op: 'arrive', estimate: 600, realPercent: 10, team: false },
        { op: 'arrive', estimate: 600, realPercent: 10, team: false },
        { op: 'settle', pick: 0 },
      ],
      false,
    );
    expect(violations).toEqual([]);
    expect(calls.map((c) => c.state)).toEqual(['settled', 'settled']);
  });
});
