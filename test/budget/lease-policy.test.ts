import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { admitOnLease, grantLease, leaseChunk, syncRequest, type Grant, type LeaseRequest } from '../../src/budget/lease-policy.js';

/** The row's answer: the grant, with the holders and contention it reports. */
type Answer = Grant & { holders: number; contended: boolean };

const LIMIT = 10_000;

/** Mostly small calls (leases far from the cap hold many), now and then one that takes a big part of the cap. */
const estimate = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 300 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 4000 }) });

interface Call {
  est: number;
  real: number;
}

interface Replica {
  alive: boolean;
  lease: number;
  used: number;
  rowSpent: number;
  holders: number;
  contended: boolean;
  largest: number;
  cap: number;
  queue: Call[];
  inFlight: Call[];
  /** A sync on the wire: its request, and the row's answer once applied. */
  pending: { request: LeaseRequest; result: Answer | null } | null;
}

/** The shared row: spend reported, and each replica's lease (a dead replica's stays until it expires). */
interface Row {
  spent: number;
  leases: number[];
  contendedUntil: number;
}

type Command =
  | { op: 'arrive'; r: number; est: number; realPercent: number }
  | { op: 'settle'; r: number; pick: number }
  | { op: 'send'; r: number; release: boolean }
  | { op: 'apply'; r: number }
  | { op: 'receive'; r: number }
  | { op: 'crash'; r: number }
  | { op: 'expire'; r: number };

const replicaIndex = fc.integer({ min: 0, max: 2 });
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('arrive' as const), r: replicaIndex, est: estimate, realPercent: fc.integer({ min: 0, max: 100 }) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('settle' as const), r: replicaIndex, pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('send' as const), r: replicaIndex, release: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('apply' as const), r: replicaIndex }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('receive' as const), r: replicaIndex }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('crash' as const), r: replicaIndex }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('expire' as const), r: replicaIndex }) },
);

/**
 * Three replicas sharing one budget through the lease rule of lease-policy.ts, under random
 * interleavings of arrivals, settles, and syncs split into send / apply on the row /
 * receive (calls are admitted and settle while a sync is on the wire), with replicas
 * dying (their calls lost with them) and their leases expiring. The row is a plain model
 * applying `grantLease` atomically, as tokometer_lease_sync does under its lock.
 */
function run(commands: Command[]) {
  const row: Row = { spent: 0, leases: [0, 0, 0], contendedUntil: -1 };
  const replicas: Replica[] = [0, 1, 2].map(() => ({ alive: true, lease: 0, used: 0, rowSpent: 0, holders: 1, contended: false, largest: 0, cap: Infinity, queue: [], inFlight: [], pending: null }));
  const violations: string[] = [];
  /** Real cost of every settled call of a live replica, and what dead replicas had reported. */
  let counted = 0;
  /** Real cost of every settled call, dead replicas' included. */
  let really = 0;
  let largestReal = 0;
  let refused = 0;
  let step = 0;
  const reserved = (p: Replica) => p.inFlight.reduce((s, c) => s + c.est, 0);

  const admit = (i: number) => {
    const p = replicas[i]!;
    while (p.alive && p.queue.length > 0) {
      const head = p.queue[0]!;
      const d = admitOnLease({ limitNano: LIMIT, knownSpentNano: p.rowSpent + p.used, leaseNano: Math.min(p.lease, p.cap), usedNano: p.used, reservedNano: reserved(p) }, head.est);
      if (d === 'wait') return;
      p.queue.shift();
      if (d === 'block') {
        refused++;
        // A refusal is only ever true: the spend known here is real spend, and it reached the cap.
        if (p.rowSpent + p.used > really || p.rowSpent + p.used < LIMIT) violations.push(`refused at known ${p.rowSpent + p.used} with ${counted} really spent`);
        continue;
      }
      p.inFlight.push(head);
      p.largest = Math.max(head.est, Math.floor(p.largest * 0.95));
    }
  };
  const local = (p: Replica) => ({
    limitNano: LIMIT,
    rowSpentNano: p.rowSpent,
    leaseNano: p.lease,
    usedNano: p.used,
    reservedNano: reserved(p),
    headNano: p.queue[0]?.est ?? 0,
    holders: p.holders,
    contended: p.contended,
    largestNano: p.largest,
    waiting: p.queue.length,
  });
  const send = (i: number, release: boolean) => {
    const p = replicas[i]!;
    if (!p.alive || p.pending !== null) return;
    const { request, localCapNano } = syncRequest(local(p), release);
    p.cap = localCapNano;
    p.pending = { request, result: null };
  };
  const apply = (i: number) => {
    const p = replicas[i]!;
    if (p.pending === null || p.pending.result !== null) return;
    const others = row.leases.reduce((s, l, j) => (j === i ? s : s + l), 0);
    const g = grantLease({ limitNano: LIMIT, spentNano: row.spent, heldNano: row.leases[i]!, othersNano: others }, p.pending.request);
    const wasContended = row.contendedUntil > step;
    if (g.status === 'short') row.contendedUntil = step + 6;
    row.spent = g.spentNano;
    row.leases[i] = g.leaseNano;
    p.pending.result = { ...g, holders: row.leases.filter((l) => l > 0).length, contended: wasContended };
    // The row never leases more than its room, except one overdraft with nothing else out.
    const leased = row.leases.reduce((s, l) => s + l, 0);
    if (g.status !== 'overdraft' && g.leaseNano > Math.max(0, LIMIT - row.spent - others) && g.leaseNano > p.pending.request.floorNano) violations.push(`granted ${g.leaseNano} beyond the room`);
    if (g.status === 'overdraft' && leased !== g.leaseNano) violations.push('overdraft beside other leases');
  };
  const receive = (i: number) => {
    const p = replicas[i]!;
    if (!p.alive || p.pending === null || p.pending.result === null) return;
    const { request, result } = p.pending;
    p.pending = null;
    p.used -= request.reportedNano;
    p.lease = result.leaseNano;
    p.cap = Infinity;
    p.rowSpent = result.spentNano;
    p.holders = Math.max(1, result.holders);
    p.contended = result.contended;
    // Invariant (a) of lease-policy.ts: what a replica has in use is always covered by its lease.
    if (p.used + reserved(p) > p.lease) violations.push(`replica ${i} uses ${p.used + reserved(p)} on a lease of ${p.lease}`);
    admit(i);
  };
  const settle = (i: number, pick: number) => {
    const p = replicas[i]!;
    if (!p.alive || p.inFlight.length === 0) return;
    const [call] = p.inFlight.splice(pick % p.inFlight.length, 1);
    p.used += call!.real;
    counted += call!.real;
    really += call!.real;
    largestReal = Math.max(largestReal, call!.real);
    admit(i);
  };
  const crash = (i: number) => {
    const p = replicas[i]!;
    if (!p.alive) return;
    // Its unreported spend and its calls in flight die with it (missing from the row: the documented limit).
    counted -= p.used;
    if (p.pending?.result) counted += p.pending.request.reportedNano;
    p.alive = false;
    p.queue = [];
    p.inFlight = [];
  };
  const expire = (i: number) => {
    if (!replicas[i]!.alive) row.leases[i] = 0;
  };

  for (const c of commands) {
    step++;
    if (c.op === 'arrive') {
      const p = replicas[c.r]!;
      if (!p.alive) continue;
      p.queue.push({ est: c.est, real: Math.floor((c.est * c.realPercent) / 100) });
      admit(c.r);
    } else if (c.op === 'settle') settle(c.r, c.pick);
    else if (c.op === 'send') send(c.r, c.release);
    else if (c.op === 'apply') apply(c.r);
    else if (c.op === 'receive') receive(c.r);
    else if (c.op === 'crash') crash(c.r);
    else expire(c.r);
  }

  // Drain: time passes (dead replicas' leases expire); every call in flight settles and every replica syncs, until nobody waits.
  let rounds = 0;
  for (; rounds < 200; rounds++) {
    step += 10;
    for (let i = 0; i < 3; i++) expire(i);
    for (let i = 0; i < 3; i++) {
      const p = replicas[i]!;
      if (!p.alive) continue;
      while (p.inFlight.length > 0) settle(i, 0);
      if (p.pending === null) send(i, p.queue.length === 0);
      apply(i);
      receive(i);
    }
    // A dead replica has nothing left to drain: its unreported spend died with it (`crash`).
    if (replicas.every((p) => !p.alive || (p.queue.length === 0 && p.inFlight.length === 0 && p.used === 0))) break;
  }
  return { row, replicas, violations, counted, largestReal, refused, rounds };
}

describe('shared budget leases under random interleavings of replicas (fast-check)', () => {
  it('spend < cap + one call, refusals only for a spent cap, no caller left waiting, dead leases come back', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 200 }), (commands) => {
        const { row, replicas, violations, counted, largestReal, rounds } = run(commands);
        expect(violations).toEqual([]);
        // Liveness: once the calls in flight settle and the replicas sync, nobody waits (no deadlock between replicas).
        expect(rounds).toBeLessThan(200);
        expect(replicas.every((p) => p.queue.length === 0)).toBe(true);
        // Every spend of a live replica is reported; a dead replica's leases are gone.
        replicas.forEach((p, i) => {
          if (!p.alive) expect(row.leases[i]).toBe(0);
        });
        expect(row.spent).toBe(counted);
        // The SPEC §5 guarantee across replicas: never more than one call over the cap.
        expect(row.spent <= LIMIT || row.spent < LIMIT + largestReal).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('a replica that dies with spend it never reported leaves nothing to wait for (found by fast-check, seed 365860806)', () => {
    const { violations, rounds, row, counted } = run([
      { op: 'send', r: 1, release: false },
      { op: 'apply', r: 1 },
      { op: 'receive', r: 1 },
      { op: 'arrive', r: 1, est: 2, realPercent: 50 },
      { op: 'settle', r: 1, pick: 0 },
      { op: 'crash', r: 1 },
    ]);
    expect(violations).toEqual([]);
    expect(rounds).toBeLessThan(200);
    expect(row.leases[1]).toBe(0);
    expect(row.spent).toBe(counted);
  });

  it('a replica giving back its lease admits nothing beyond what it keeps until the row answers', () => {
    const { violations } = run([
      { op: 'arrive', r: 0, est: 100, realPercent: 100 },
      { op: 'send', r: 0, release: false },
      { op: 'apply', r: 0 },
      { op: 'receive', r: 0 },
      { op: 'send', r: 0, release: true },
      { op: 'arrive', r: 0, est: 100, realPercent: 100 },
      { op: 'apply', r: 0 },
      { op: 'receive', r: 0 },
    ]);
    expect(violations).toEqual([]);
  });

  it('the cap gets used: a stream of small calls on three replicas spends to within one call of the cap', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ r: replicaIndex, est: fc.integer({ min: 100, max: 400 }) }), { minLength: 200, maxLength: 200 }), (calls) => {
        const commands: Command[] = calls.flatMap(({ r, est }) => [
          { op: 'arrive', r, est, realPercent: 100 },
          { op: 'send', r, release: false },
          { op: 'apply', r },
          { op: 'receive', r },
          { op: 'settle', r, pick: 0 },
        ]);
        const { row, violations } = run(commands);
        expect(violations).toEqual([]);
        expect(row.spent).toBeGreaterThan(LIMIT - 400);
        expect(row.spent).toBeLessThan(LIMIT + 400);
      }),
      { numRuns: 200 },
    );
  });

  it('far from the cap a replica leases a quarter of the room per holder, and single calls near it', () => {
    expect(leaseChunk(1_000_000, 0, 1)).toBe(250_000);
    expect(leaseChunk(1_000_000, 400_000, 3)).toBe(50_000);
    expect(leaseChunk(1_000, 1_200, 3)).toBe(0);
    const far = syncRequest({ limitNano: 1_000_000, rowSpentNano: 0, leaseNano: 0, usedNano: 0, reservedNano: 0, headNano: 100, holders: 1, contended: false, largestNano: 100, waiting: 1 }, false);
    expect(far.request).toMatchObject({ needNano: 100, wantNano: 100 + 250_000, floorNano: 0 });
    const near = syncRequest({ limitNano: 1_000, rowSpentNano: 800, leaseNano: 0, usedNano: 0, reservedNano: 50, headNano: 100, holders: 3, contended: false, largestNano: 100, waiting: 1 }, false);
    expect(near.request).toMatchObject({ needNano: 150, wantNano: 150, floorNano: 50 });
  });

  it('the row: granted within the room, an overdraft only with nothing out anywhere, short otherwise, spent at the cap', () => {
    const ask = (need: number, inFlight = 0): LeaseRequest => ({ reportedNano: 0, floorNano: inFlight, needNano: need, wantNano: need, inFlightNano: inFlight });
    expect(grantLease({ limitNano: 1000, spentNano: 500, heldNano: 0, othersNano: 200 }, ask(300))).toEqual({ status: 'granted', leaseNano: 300, spentNano: 500 });
    expect(grantLease({ limitNano: 1000, spentNano: 500, heldNano: 0, othersNano: 200 }, ask(301))).toEqual({ status: 'short', leaseNano: 0, spentNano: 500 });
    expect(grantLease({ limitNano: 1000, spentNano: 500, heldNano: 0, othersNano: 0 }, ask(900))).toEqual({ status: 'overdraft', leaseNano: 900, spentNano: 500 });
    expect(grantLease({ limitNano: 1000, spentNano: 500, heldNano: 100, othersNano: 0 }, ask(900, 100))).toEqual({ status: 'short', leaseNano: 100, spentNano: 500 });
    expect(grantLease({ limitNano: 1000, spentNano: 900, heldNano: 200, othersNano: 0 }, { ...ask(0, 50), reportedNano: 100 })).toEqual({ status: 'spent', leaseNano: 50, spentNano: 1000 });
  });
});
