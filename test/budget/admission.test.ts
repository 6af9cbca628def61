import { describe, expect, it } from 'vitest';
import { ABORTED, type Reservation, type WaitOptions, type WaitResult } from '../../src/budget/ledger.js';
import type { TagBudget } from '../../src/budget/types.js';
import type { KeyBudget } from '../../src/store/types.js';
import { harness, keyBudget, tagBudget, USD } from './helpers.js';

/** Lets promise continuations run (admission resolves its waiters' promises). */
const tick = () => new Promise((r) => setImmediate(r));

/** Starts a waiting admission and exposes its outcome once settled. */
function track(p: ReturnType<ReturnType<typeof harness>['ledger']['admit']>) {
  const box: { result: WaitResult | null } = { result: null };
  if (p instanceof Promise) void p.then((r) => (box.result = r));
  else box.result = p;
  return box;
}

const FOREVER = { waitMs: Infinity };

type Tags = Record<string, string>;

/**
 * A harness with one key budget `k` (default $1 a month, no alerts; `budget` changes it)
 * beside the tag budgets given, and shorthands for calls on k with `tags` (none unless told).
 */
function keyBudgetK(options: { limitUsd?: number; budget?: Partial<KeyBudget>; tags?: TagBudget[]; start?: string } = {}) {
  const { limitUsd = 1, budget = {}, tags, start } = options;
  const h = harness({ keys: { k: keyBudget(limitUsd, { alertAt: [], ...budget }) }, tags, start });
  const request = (usd: number, callTags: Tags) => ({ keyName: 'k', tags: callTags, estimateNano: usd * USD });
  return {
    h,
    /** Reserves `usd` on k at once: a call in flight. */
    hold: (usd: number, callTags: Tags = {}) => h.ledger.reserve(request(usd, callTags)) as Reservation,
    /** Asks admission for `usd` on k (waiting forever unless told otherwise) and tracks the outcome. */
    ask: (usd: number, callTags: Tags = {}, wait: WaitOptions = FOREVER) => track(h.ledger.admit(request(usd, callTags), wait)),
    /** Settles `r` at `usd` and lets the waiters it wakes run. */
    settle: async (r: Reservation, usd: number) => {
      h.ledger.settle(r, usd * USD);
      await tick();
    },
  };
}

describe('admission: a call that does not fit only because of calls in flight waits', () => {
  it('waits for the calls in flight, then is admitted (never refused while the cap has room)', async () => {
    const { h, ask, settle } = keyBudgetK();
    const first = h.ledger.admit({ keyName: 'k', tags: {}, estimateNano: 0.7 * USD }, FOREVER);
    expect(first instanceof Promise).toBe(false);
    const second = ask(0.7);
    await tick();
    expect(second.result).toBeNull();
    expect(h.ledger.snapshot()[0]).toMatchObject({ inFlight: 1, waiting: 1 });
    await settle(first as Reservation, 0.2);
    expect(second.result?.ok).toBe(true);
    expect(h.ledger.snapshot()[0]).toMatchObject({ inFlight: 1, waiting: 0, spentNano: 0.2 * USD, reservedNano: 0.7 * USD });
  });

  it('a big call waits for nothing in flight, then passes by rule 2', async () => {
    const { hold, ask, settle } = keyBudgetK();
    const small = hold(0.1);
    const big = ask(5);
    await tick();
    expect(big.result).toBeNull();
    await settle(small, 0.1);
    expect(big.result?.ok).toBe(true);
  });

  it('admits in arrival order: a later small call does not pass an earlier big one', async () => {
    const { h, hold, ask, settle } = keyBudgetK();
    const inFlight = hold(0.5);
    const big = ask(0.9);
    // Fits beside the call in flight, but the big call arrived first.
    const small = ask(0.1);
    await tick();
    expect(big.result).toBeNull();
    expect(small.result).toBeNull();
    expect(h.ledger.snapshot()[0]!.waiting).toBe(2);
    await settle(inFlight, 0.05);
    expect(big.result?.ok).toBe(true);
    expect(small.result).toBeNull(); // 0.05 + 0.9 + 0.1 > 1: behind the big call now in flight
    await settle(big.result as Reservation, 0.05);
    expect(small.result?.ok).toBe(true);
  });

  it('refuses a waiter as exhausted once settled spend reaches the cap', async () => {
    const { h, hold, ask, settle } = keyBudgetK();
    const inFlight = hold(0.9);
    const waiting = ask(0.5);
    await settle(inFlight, 1.2); // undershot estimate: the cap is now spent
    expect(waiting.result).toMatchObject({ ok: false, blocked: { reason: 'exhausted', name: 'k', spentNano: 1.2 * USD } });
    expect(h.ledger.snapshot()[0]).toMatchObject({ inFlight: 0, waiting: 0, reservedNano: 0 });
  });

  it('a wait that runs out answers reason reserved (busy) naming the budget, and the queue moves on', async () => {
    const { h, hold, ask, settle } = keyBudgetK();
    const inFlight = hold(0.9);
    const impatient = ask(0.5, {}, { waitMs: 20 });
    const patient = ask(0.5);
    await new Promise((r) => setTimeout(r, 60));
    expect(impatient.result).toMatchObject({ ok: false, blocked: { reason: 'reserved', name: 'k', reservedNano: 0.9 * USD, inFlight: 1 } });
    expect(h.ledger.snapshot()[0]!.waiting).toBe(1);
    await settle(inFlight, 0.1);
    expect(patient.result?.ok).toBe(true);
  });

  it('waitMs 0 never waits: the immediate answer is reserved, not exhausted', () => {
    const { h, hold } = keyBudgetK();
    hold(0.9);
    const r = h.ledger.admit({ keyName: 'k', tags: {}, estimateNano: 0.5 * USD }, { waitMs: 0 });
    expect(r).toMatchObject({ ok: false, blocked: { reason: 'reserved' } });
  });

  it('an aborted waiter leaves every queue at once, holds nothing, and the next waiter goes first', async () => {
    const { h, hold, ask, settle } = keyBudgetK({ tags: [tagBudget('team', 1, { match: { team: 'a' } })] });
    const inFlight = hold(0.9, { team: 'a' });
    const controller = new AbortController();
    const leaving = ask(0.5, { team: 'a' }, { waitMs: Infinity, signal: controller.signal });
    const next = ask(0.5, { team: 'a' });
    await tick();
    expect(h.ledger.snapshot().map((s) => s.waiting)).toEqual([2, 2]);
    controller.abort();
    await tick();
    expect(leaving.result).toBe(ABORTED);
    expect(h.ledger.snapshot().map((s) => s.waiting)).toEqual([1, 1]);
    expect(h.ledger.snapshot().map((s) => s.inFlight)).toEqual([1, 1]);
    await settle(inFlight, 0.1);
    expect(next.result?.ok).toBe(true);
    expect(h.ledger.waiters).toBe(0);
  });

  it('a period that rolls while a caller waits: a settle from the old period still wakes it, into the new period', async () => {
    const { h, hold, ask, settle } = keyBudgetK({ budget: { period: 'day' }, start: '2026-11-20T23:59:59Z' });
    const late = hold(0.9);
    const waiting = ask(0.5);
    h.setTime('2026-11-21T00:00:01Z');
    await settle(late, 0.9); // counts in the day it started in
    expect(waiting.result?.ok).toBe(true);
    expect(h.ledger.snapshot()[0]).toMatchObject({ spentNano: 0, reservedNano: 0.5 * USD, inFlight: 1, periodStart: Date.parse('2026-11-21T00:00:00Z') });
  });

  it('an already aborted signal never queues', async () => {
    const { h, hold } = keyBudgetK();
    hold(0.9);
    const r = await h.ledger.admit({ keyName: 'k', tags: {}, estimateNano: 0.5 * USD }, { waitMs: Infinity, signal: AbortSignal.abort() });
    expect(r).toBe(ABORTED);
    expect(h.ledger.waiters).toBe(0);
  });

  it('a caller held back only by a tag budget does not stall the key for calls outside that budget', async () => {
    const { h, hold, ask } = keyBudgetK({ limitUsd: 10, tags: [tagBudget('free', 1, { match: { tier: 'free' } })] });
    hold(0.9, { tier: 'free' });
    const free = ask(0.5, { tier: 'free' });
    const pro = h.ledger.admit({ keyName: 'k', tags: { tier: 'pro' }, estimateNano: 0.5 * USD }, FOREVER);
    await tick();
    expect(free.result).toBeNull();
    expect(pro instanceof Promise).toBe(false);
    expect((pro as Reservation).ok).toBe(true);
    expect(h.ledger.snapshot().map((s) => [s.name, s.waiting])).toEqual([
      ['k', 0],
      ['free', 1],
    ]);
  });

  it('a caller of two budgets keeps its place on a budget that held it back (no ping-pong)', async () => {
    const { h, hold, ask, settle } = keyBudgetK({ tags: [tagBudget('team', 1, { match: { team: 'a' } })] });
    const onKey = hold(0.9);
    const both = ask(0.5, { team: 'a' });
    await tick();
    // Now the team budget fills up while the caller waits on the key budget.
    const onTeam = h.ledger.reserve({ keyName: null, tags: { team: 'a' }, estimateNano: 0.9 * USD }) as Reservation;
    await settle(onKey, 0);
    expect(both.result).toBeNull(); // held back by the team budget now
    // The key budget held it back before: a later key-only call queues behind it.
    const later = ask(0.1);
    await tick();
    expect(later.result).toBeNull();
    await settle(onTeam, 0);
    expect(both.result?.ok).toBe(true);
    expect(later.result?.ok).toBe(true);
  });

  it('re-estimates a waiter at each decision (the output history may have learned)', async () => {
    const { h, hold, settle } = keyBudgetK();
    const inFlight = hold(0.5);
    const other = hold(0.1);
    let estimate = 0.9 * USD;
    const waiting = track(h.ledger.admit({ keyName: 'k', tags: {}, estimateNano: estimate }, { waitMs: Infinity, reestimate: () => estimate }));
    estimate = 0.2 * USD;
    await settle(inFlight, 0.1); // 0.1 spent + 0.1 held + 0.2 fits; 0.9 would not
    expect(waiting.result?.ok).toBe(true);
    expect((waiting.result as Reservation).estimateNano).toBe(0.2 * USD);
    h.ledger.settle(other, 0);
  });

  it('budget changes wake waiters: a raised limit admits, a removed budget lets them through', async () => {
    const h = harness({ keys: { k: keyBudget(1, { alertAt: [] }), j: keyBudget(1, { alertAt: [] }) } });
    h.ledger.reserve({ keyName: 'k', tags: {}, estimateNano: 0.9 * USD });
    h.ledger.reserve({ keyName: 'j', tags: {}, estimateNano: 0.9 * USD });
    const onK = track(h.ledger.admit({ keyName: 'k', tags: {}, estimateNano: 0.5 * USD }, FOREVER));
    const onJ = track(h.ledger.admit({ keyName: 'j', tags: {}, estimateNano: 0.5 * USD }, FOREVER));
    await tick();
    h.ledger.setKeyBudget('k', keyBudget(2, { alertAt: [] }));
    h.ledger.setKeyBudget('j', null);
    await tick();
    expect(onK.result?.ok).toBe(true);
    expect(onJ.result?.ok).toBe(true);
    expect(h.ledger.waiters).toBe(0);
  });

  it('a per-value instance that holds a waiter back is never swept (its queue keeps later callers in line)', async () => {
    const h = harness({ tags: [tagBudget('u', 1, { per: 'user_id' }), tagBudget('team', 1, { match: { team: 't' } })], maxInstances: 2 });
    const onUser = h.ledger.reserve({ keyName: null, tags: { user_id: 'a' }, estimateNano: 0.9 * USD }) as Reservation;
    const w = track(h.ledger.admit({ keyName: null, tags: { user_id: 'a', team: 't' }, estimateNano: 0.5 * USD }, FOREVER));
    const onTeam = h.ledger.reserve({ keyName: null, tags: { user_id: 'b', team: 't' }, estimateNano: 0.9 * USD }) as Reservation;
    h.ledger.settle(onUser, 0); // user a now holds no money; w waits on the team budget, still in a's queue
    await tick();
    for (let i = 0; i < 10; i++) h.call(null, { user_id: `idle${i}` }, 0); // forces sweeps
    const later = track(h.ledger.admit({ keyName: null, tags: { user_id: 'a' }, estimateNano: 0.6 * USD }, FOREVER));
    await tick();
    expect(w.result).toBeNull();
    expect(later.result).toBeNull();
    h.ledger.settle(onTeam, 0);
    await tick();
    expect(w.result?.ok).toBe(true);
    expect(later.result).toBeNull(); // 0.5 + 0.6 > 1 with w in flight: still behind it
  });
});

describe('raising a budget re-arms the thresholds it puts back above the spend (#18 point 7)', () => {
  it('returns the re-armed thresholds and fires them again under the new limit', () => {
    const h = harness({ keys: { k: keyBudget(1, { alertAt: [0.5, 0.8, 1] }) } });
    h.call('k', {}, 0.85);
    expect(h.alerts.map((a) => a.threshold)).toEqual([0.5, 0.8]);
    // 0.85 of 2: both fired thresholds (1.0 and 1.6) are above the spend again.
    expect(h.ledger.setKeyBudget('k', keyBudget(2, { alertAt: [0.5, 0.8, 1] }))).toEqual([0.5, 0.8]);
    h.call('k', {}, 0.2); // 1.05 of 2: crosses 0.5 of the new limit
    expect(h.alerts.map((a) => [a.threshold, a.limitNano])).toEqual([
      [0.5, USD],
      [0.8, USD],
      [0.5, 2 * USD],
    ]);
    expect(h.alerts[2]!.id).not.toBe(h.alerts[0]!.id);
    // Lowering re-arms nothing; a same-limit change neither.
    expect(h.ledger.setKeyBudget('k', keyBudget(1.5, { alertAt: [0.5, 0.8, 1] }))).toEqual([]);
    expect(h.ledger.setKeyBudget('k', keyBudget(1.5, { alertAt: [0.5, 0.8, 1] }))).toEqual([]);
  });
});

describe('repriced spend (adjustSpend) decides the waiting callers again', () => {
  it('a decrease makes room for a waiter at once; an increase that spends the cap refuses the waiters as exhausted', async () => {
    const { h, hold, ask } = keyBudgetK();
    const at = h.now();
    h.call('k', {}, 0.5);
    const inFlight = hold(0.3);
    const waiter = ask(0.4);
    await tick();
    expect(waiter.result).toBeNull();
    // The settled call was repriced 0.3 lower: 0.2 + 0.3 held + 0.4 fits, without waiting for the call in flight.
    h.ledger.adjustSpend([{ id: 1, ts: at, keyName: 'k', tags: {}, deltaNano: -0.3 * USD }]);
    await tick();
    expect(waiter.result?.ok).toBe(true);

    const next = ask(0.4);
    await tick();
    expect(next.result).toBeNull();
    h.ledger.adjustSpend([{ id: 2, ts: at, keyName: 'k', tags: {}, deltaNano: 0.9 * USD }]);
    await tick();
    expect(next.result).toMatchObject({ ok: false, blocked: { reason: 'exhausted' } });
    h.ledger.settle(inFlight, 0.3 * USD);
    h.ledger.settle(waiter.result as Reservation, 0.4 * USD);
    expect(h.ledger.snapshot()[0]).toMatchObject({ spentNano: 1.8 * USD, inFlight: 0, waiting: 0 });
  });
});
