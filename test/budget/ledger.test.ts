import { describe, expect, it } from 'vitest';
import { BudgetLedger, Reservation } from '../../src/budget/ledger.js';
import { harness, keyBudget, tagBudget, USD } from './helpers.js';

describe('key budgets', () => {
  it('blocks once spend reaches the limit, with the info for a 429', () => {
    const h = harness({ keys: { summarizer: keyBudget(1) } });
    expect(h.call('summarizer', {}, 0.4).ok).toBe(true);
    expect(h.call('summarizer', {}, 0.4).ok).toBe(true);
    expect(h.call('summarizer', {}, 0.4).ok).toBe(true); // nothing in flight: admitted although 0.4 > 0.2 left
    const r = h.call('summarizer', {}, 0.01);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.blocked).toMatchObject({ name: 'summarizer', kind: 'key', limitNano: USD, spentNano: 1.2 * USD, period: 'month', reason: 'exhausted' });
    expect(r.blocked.resetAt).toBe(Date.parse('2026-12-01T00:00:00Z'));
    expect(r.blocked.at).toBe(h.now());
    // other keys are not affected; unbudgeted keys always pass
    expect(h.call('chatbot', {}, 100).ok).toBe(true);
  });

  it('never deadlocks on a big estimate while nothing is in flight', () => {
    const h = harness({ keys: { k: keyBudget(1) } });
    h.call('k', {}, 0.9);
    const big = h.ledger.reserve({ keyName: 'k', tags: {}, estimateNano: 50 * USD });
    expect(big.ok).toBe(true);
    // …but while it is in flight, another call that does not fit waits
    expect(h.ledger.reserve({ keyName: 'k', tags: {}, estimateNano: 1 }).ok).toBe(false);
    if (big.ok) h.ledger.settle(big, 0.05 * USD);
    expect(h.ledger.reserve({ keyName: 'k', tags: {}, estimateNano: 1 }).ok).toBe(true);
  });

  it('soft budgets never block but still count and alert', () => {
    const h = harness({ keys: { k: keyBudget(1, { soft: true, alertAt: [1] }) } });
    for (let i = 0; i < 5; i++) expect(h.call('k', {}, 0.5).ok).toBe(true);
    expect(h.ledger.snapshot()[0]).toMatchObject({ spentNano: 2.5 * USD, soft: true, blocked: false });
    expect(h.alerts.map((a) => a.threshold)).toEqual([1]);
  });

  it('a new period starts from zero', () => {
    const h = harness({ keys: { k: keyBudget(1) } });
    h.call('k', {}, 1);
    expect(h.call('k', {}, 0.1).ok).toBe(false);
    h.setTime('2026-12-01T00:00:00Z');
    expect(h.call('k', {}, 0.1).ok).toBe(true);
    expect(h.ledger.snapshot()[0]).toMatchObject({ spentNano: 0.1 * USD, periodStart: Date.parse('2026-12-01T00:00:00Z') });
  });

  it('live changes: raising the limit unblocks, removing the budget frees the key', () => {
    const h = harness({ keys: { k: keyBudget(1) } });
    h.call('k', {}, 1);
    expect(h.call('k', {}, 0.1).ok).toBe(false);
    h.ledger.setKeyBudget('k', keyBudget(2));
    expect(h.call('k', {}, 0.1).ok).toBe(true);
    expect(h.ledger.snapshot()[0]!.spentNano).toBe(1.1 * USD);
    h.ledger.setKeyBudget('k', keyBudget(1, { period: 'day' }), { spentNano: 0.2 * USD });
    expect(h.ledger.snapshot()[0]).toMatchObject({ spentNano: 0.2 * USD, period: 'day', resetAt: Date.parse('2026-11-21T00:00:00Z') });
    h.ledger.setKeyBudget('k', null);
    expect(h.ledger.snapshot()).toEqual([]);
    expect(h.call('k', {}, 100).ok).toBe(true);
  });
});

describe('tag budgets', () => {
  const freeDaily = tagBudget('free-tier-daily', 0.5, { match: { user_tier: 'free' }, per: 'user_id' });

  it('a per-user budget blocks only that user', () => {
    const h = harness({ tags: [freeDaily] });
    expect(h.call(null, { user_tier: 'free', user_id: 'u1' }, 0.5).ok).toBe(true);
    const r = h.call('any', { user_tier: 'free', user_id: 'u1' }, 0.01);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.blocked).toMatchObject({ name: 'free-tier-daily', kind: 'tag', per: 'user_id', tagValue: 'u1', resetAt: Date.parse('2026-11-21T00:00:00Z') });
    expect(h.call('any', { user_tier: 'free', user_id: 'u2' }, 0.01).ok).toBe(true);
    expect(h.call('any', { user_tier: 'pro', user_id: 'u1' }, 5).ok).toBe(true); // does not match
  });

  it('a match budget counts only matching calls; calls lacking the per tag share one instance', () => {
    const h = harness({ tags: [tagBudget('summaries', 1, { match: { feature: 'summarizer', env: 'prod' } }), freeDaily] });
    h.call(null, { feature: 'summarizer' }, 5); // env missing: not matching
    h.call(null, { feature: 'chat', env: 'prod' }, 5);
    expect(h.call(null, { feature: 'summarizer', env: 'prod' }, 1).ok).toBe(true);
    expect(h.call(null, { feature: 'summarizer', env: 'prod', x: 'y' }, 0.1).ok).toBe(false);
    h.call(null, { user_tier: 'free' }, 0.5);
    expect(h.call(null, { user_tier: 'free' }, 0.1).ok).toBe(false);
    const states = h.ledger.snapshot();
    expect(states.find((s) => s.name === 'summaries')).toMatchObject({ spentNano: USD, blocked: true, per: null });
    expect(states.find((s) => s.name === 'free-tier-daily')).toMatchObject({ tagValue: null, per: 'user_id', spentNano: 0.5 * USD });
  });

  it('checks every matching budget and reserves on all of them, or on none', () => {
    const h = harness({ keys: { k: keyBudget(10) }, tags: [freeDaily, tagBudget('all', 100, { period: 'week' })] });
    h.call('k', { user_tier: 'free', user_id: 'u1' }, 0.5);
    const r = h.ledger.reserve({ keyName: 'k', tags: { user_tier: 'free', user_id: 'u1' }, estimateNano: USD });
    expect(r.ok).toBe(false);
    for (const s of h.ledger.snapshot()) expect(s.reservedNano).toBe(0);
    expect(h.ledger.snapshot().map((s) => s.spentNano)).toEqual([0.5 * USD, 0.5 * USD, 0.5 * USD]);
  });

  it('reports the blocking budget that resets last', () => {
    const h = harness({ keys: { k: keyBudget(1) }, tags: [tagBudget('daily', 1)] });
    h.call('k', {}, 1);
    const r = h.call('k', {}, 0.1);
    expect(!r.ok && r.blocked.name).toBe('k'); // month resets after day
  });

  it('live tag budget changes keep the spend of unchanged budgets', () => {
    const daily = tagBudget('per-user', 1, { per: 'user_id' });
    const h = harness({ tags: [daily, tagBudget('gone', 1)] });
    h.call(null, { user_id: 'u1' }, 1);
    expect(h.call(null, { user_id: 'u1' }, 0.1).ok).toBe(false);
    h.ledger.setTagBudgets([{ ...daily, limitNano: 2 * USD }]);
    expect(h.call(null, { user_id: 'u1' }, 0.1).ok).toBe(true);
    expect(h.ledger.snapshot().map((s) => [s.name, s.tagValue, s.spentNano])).toEqual([['per-user', 'u1', 1.1 * USD]]);
    h.ledger.setTagBudgets([{ ...daily, period: 'month' }]); // new period: a new budget
    expect(h.ledger.snapshot()).toEqual([]);
  });

  it('sweeps idle per-value instances but keeps those holding spend', () => {
    const h = harness({ tags: [tagBudget('per-user', 1, { per: 'user_id' })], maxInstances: 10 });
    h.call(null, { user_id: 'spender' }, 1);
    for (let i = 0; i < 50; i++) h.call(null, { user_id: `u${i}` }, 0);
    const states = h.ledger.snapshot();
    expect(states.length).toBeLessThanOrEqual(21);
    expect(h.call(null, { user_id: 'spender' }, 0.1).ok).toBe(false);
  });
});

describe('settle', () => {
  it('is idempotent and treats an unknown cost as 0 while releasing the hold', () => {
    const h = harness({ keys: { k: keyBudget(1) } });
    const r = h.ledger.reserve({ keyName: 'k', tags: {}, estimateNano: 0.3 * USD });
    expect(r).toBeInstanceOf(Reservation);
    if (!r.ok) return;
    expect(h.ledger.snapshot()[0]).toMatchObject({ reservedNano: 0.3 * USD, spentNano: 0 });
    h.ledger.settle(r, 0.2 * USD);
    h.ledger.settle(r, 0.2 * USD);
    h.ledger.settle(r, null);
    expect(h.ledger.snapshot()[0]).toMatchObject({ reservedNano: 0, spentNano: 0.2 * USD });
    const u = h.ledger.reserve({ keyName: 'k', tags: {}, estimateNano: 0.3 * USD });
    if (u.ok) h.ledger.settle(u, null);
    expect(h.ledger.snapshot()[0]).toMatchObject({ reservedNano: 0, spentNano: 0.2 * USD });
  });

  it('a call settling after the period rolled counts in its start period only', () => {
    const h = harness({ keys: { k: keyBudget(1, { period: 'day' }) }, start: '2026-11-20T23:59:59Z' });
    const r = h.ledger.reserve({ keyName: 'k', tags: {}, estimateNano: 0.5 * USD });
    h.setTime('2026-11-21T00:00:01Z');
    const s = h.ledger.reserve({ keyName: 'k', tags: {}, estimateNano: 0.1 * USD });
    expect(s.ok).toBe(true);
    if (r.ok) h.ledger.settle(r, 0.9 * USD);
    expect(h.ledger.snapshot()[0]).toMatchObject({ spentNano: 0, reservedNano: 0.1 * USD });
  });

  it('tracks calls in flight and releases holds exactly, whatever the estimates', () => {
    const h = harness({ keys: { k: keyBudget(1e6) } });
    const rs = [0.1, 0.2, 0.3, 1e-9, 123.456789].map((usd) => h.ledger.reserve({ keyName: 'k', tags: {}, estimateNano: usd * USD + 0.3 }));
    expect(h.ledger.snapshot()[0]!.inFlight).toBe(5);
    for (const r of rs) if (r.ok) h.ledger.settle(r, 1);
    expect(h.ledger.snapshot()[0]).toMatchObject({ inFlight: 0, reservedNano: 0, spentNano: 5 });
  });

  it('unbudgeted calls get a shared no-op reservation (no allocation)', () => {
    const h = harness();
    const a = h.ledger.reserve({ keyName: 'x', tags: {}, estimateNano: 5 });
    const b = h.ledger.reserve({ keyName: 'y', tags: {}, estimateNano: 5 });
    expect(a).toBe(b);
    if (a.ok) h.ledger.settle(a, 5);
  });
});

describe('restart: seeding from stored calls', () => {
  it('rebuilds spend, blocks and alert state; old calls are ignored', () => {
    const keys = { k: keyBudget(1, { alertAt: [0.5, 0.8, 1] }) };
    const tags = [tagBudget('per-user', 0.5, { per: 'user_id' })];
    const h1 = harness({ keys, tags });
    const stored: { ts: number; keyName: string | null; tags: Record<string, string>; costNano: number | null }[] = [
      { ts: Date.parse('2026-10-31T23:00:00Z'), keyName: 'k', tags: { user_id: 'u1' }, costNano: 5 * USD }, // last month
    ];
    for (const [user, usd] of [['u1', 0.5], ['u2', 0.1], ['u3', 0.2]] as const) {
      h1.call('k', { user_id: user }, usd);
      stored.push({ ts: h1.now(), keyName: 'k', tags: { user_id: user }, costNano: usd * USD });
    }
    stored.push({ ts: h1.now(), keyName: 'k', tags: {}, costNano: null });
    expect(h1.alerts.map((a) => a.threshold)).toEqual([0.5, 0.8]);

    const h2 = harness({ keys, tags, start: '2026-11-20T13:00:00Z' });
    expect(h2.ledger.seedSince()).toBe(Date.parse('2026-11-01T00:00:00Z'));
    h2.ledger.seedFromCalls(stored.filter((c) => c.ts >= h2.ledger.seedSince()));
    const strip = (s: ReturnType<typeof h1.ledger.snapshot>) => s.map(({ spentNano, name, tagValue, blocked }) => ({ spentNano, name, tagValue, blocked }));
    expect(strip(h2.ledger.snapshot())).toEqual(strip(h1.ledger.snapshot()));
    expect(h2.call('k', { user_id: 'u1' }, 0.01).ok).toBe(false);
    expect(h2.alerts).toEqual([]); // 50% and 80% were crossed before the restart
    h2.call('k', { user_id: 'u4' }, 0.2);
    expect(h2.alerts.map((a) => a.threshold)).toEqual([1]);
  });

  it('seed() takes pre-aggregated spend of the current period only', () => {
    const h = harness({ keys: { k: keyBudget(1) }, tags: [tagBudget('per-user', 1, { per: 'user_id' })] });
    const month = Date.parse('2026-11-01T00:00:00Z');
    const day = Date.parse('2026-11-20T00:00:00Z');
    h.ledger.seed([
      { ref: { kind: 'key', name: 'k' }, periodStart: month, spentNano: 0.7 * USD },
      { ref: { kind: 'key', name: 'k' }, periodStart: Date.parse('2026-10-01T00:00:00Z'), spentNano: 9 * USD },
      { ref: { kind: 'tag', name: 'per-user', tagValue: 'u9' }, periodStart: day, spentNano: USD },
      { ref: { kind: 'key', name: 'nope' }, periodStart: month, spentNano: USD },
    ]);
    expect(h.ledger.snapshot().map((s) => [s.name, s.tagValue, s.spentNano])).toEqual([
      ['k', null, 0.7 * USD],
      ['per-user', 'u9', USD],
    ]);
    expect(h.alerts).toEqual([]);
  });

  it('resetSpend clears the current period and re-arms alerts', () => {
    const h = harness({ keys: { k: keyBudget(1, { alertAt: [1] }) } });
    h.call('k', {}, 1);
    expect(h.ledger.resetSpend({ kind: 'key', name: 'k' })).toBe(true);
    expect(h.ledger.resetSpend({ kind: 'key', name: 'nope' })).toBe(false);
    expect(h.call('k', {}, 1).ok).toBe(true);
    expect(h.alerts.length).toBe(2);
  });

  it('a call admitted before a reset and settled after it releases its hold and does not count, as a reprice of it would not', () => {
    const t = harness({ keys: { k: keyBudget(10) } });
    const r = t.ledger.reserve({ keyName: 'k', tags: {}, estimateNano: USD });
    if (!r.ok) throw new Error('admitted');
    const startedAt = t.now();
    t.advance(1000);
    t.ledger.resetSpend({ kind: 'key', name: 'k' });
    t.advance(1000);
    // Its $6 was counted after the reset in memory while the store (spend from the reset on) and a restart said 0.
    t.ledger.settle(r, 6 * USD);
    t.ledger.adjustSpend([{ id: 1, ts: startedAt, keyName: 'k', tags: {}, deltaNano: USD }]);
    expect(t.ledger.snapshot()[0]).toMatchObject({ spentNano: 0, reservedNano: 0 });
    // A call admitted after the reset counts.
    const later = t.ledger.reserve({ keyName: 'k', tags: {}, estimateNano: USD });
    if (!later.ok) throw new Error('admitted');
    t.ledger.settle(later, 2 * USD);
    expect(t.ledger.snapshot()[0]!.spentNano).toBe(2 * USD);
  });
});

describe('adjustSpend (repriced calls)', () => {
  const at = (iso: string) => Date.parse(iso);

  it('moves key and tag spend by each change, only for calls in the current period and after a reset', () => {
    const h = harness({ keys: { k: keyBudget(1, { alertAt: [0.5] }) }, tags: [tagBudget('per-user', 1, { per: 'user_id' }), tagBudget('team', 1, { match: { team: 'a' } })] });
    h.call('k', { user_id: 'u1', team: 'a' }, 0.3);
    h.ledger.adjustSpend([
      { id: 1, ts: at('2026-11-20T11:00:00Z'), keyName: 'k', tags: { user_id: 'u1', team: 'a' }, deltaNano: 0.25 * USD },
      { id: 2, ts: at('2026-11-20T11:00:00Z'), keyName: 'k', tags: { user_id: 'u2' }, deltaNano: -0.1 * USD },
      // Last month: no budget of this period moves.
      { id: 3, ts: at('2026-10-31T23:59:59Z'), keyName: 'k', tags: { user_id: 'u1', team: 'a' }, deltaNano: 5 * USD },
      // Another key, no user: only the per-user budget's (none) instance.
      { id: 4, ts: at('2026-11-20T11:00:00Z'), keyName: 'other', tags: {}, deltaNano: 2 * USD },
    ]);
    const spent = () => Object.fromEntries(h.ledger.snapshot().map((s) => [`${s.name}:${s.tagValue ?? ''}`, s.spentNano]));
    expect(spent()).toEqual({ 'k:': 0.45 * USD, 'per-user:u1': 0.55 * USD, 'per-user:u2': 0, 'per-user:': 2 * USD, 'team:': 0.55 * USD });
    // The increase crossed the key's 50% alert, as a settle would.
    expect(h.alerts.map((a) => [a.name, a.threshold])).toEqual([['k', 0.5]]);

    h.ledger.resetSpend({ kind: 'key', name: 'k' }, at('2026-11-20T12:00:00Z'));
    h.ledger.adjustSpend([
      { id: 5, ts: at('2026-11-20T11:30:00Z'), keyName: 'k', tags: {}, deltaNano: 0.2 * USD }, // before the reset: cleared already
      { id: 6, ts: at('2026-11-20T12:00:00Z'), keyName: 'k', tags: {}, deltaNano: -0.7 * USD }, // never below 0
    ]);
    expect(spent()['k:']).toBe(0);
  });
});

describe('alerts', () => {
  it('fire once per threshold per period, in order, and again next period', () => {
    const h = harness({ keys: { k: keyBudget(1, { soft: true }) }, tags: [tagBudget('u', 1, { match: { team: 'a' }, per: 'user_id', alertAt: [0.5] })] });
    h.call('k', {}, 0.3);
    expect(h.alerts).toEqual([]);
    h.call('k', {}, 0.6); // 0.9: crosses 0.5 and 0.8 at once
    h.call('k', {}, 0.05);
    h.call('k', {}, 0.05); // 1.0
    h.call('k', {}, 0.5);
    expect(h.alerts.map((a) => a.threshold)).toEqual([0.5, 0.8, 1]);
    expect(h.alerts[0]).toMatchObject({ id: `key:k:0.5:${Date.parse('2026-11-01T00:00:00Z')}:${USD}`, kind: 'key', spentNano: 0.9 * USD, period: 'month' });
    h.setTime('2026-12-02T00:00:00Z');
    h.call('k', {}, 0.5);
    expect(h.alerts.map((a) => a.threshold)).toEqual([0.5, 0.8, 1, 0.5]);
    expect(h.alerts[3]!.periodStart).toBe(Date.parse('2026-12-01T00:00:00Z'));
    h.call(null, { team: 'a', user_id: 'a' }, 0.5);
    h.call(null, { team: 'a', user_id: 'b' }, 0.5);
    expect(h.alerts.slice(4).map((a) => a.id)).toEqual([`tag:u:a:0.5:${Date.parse('2026-12-02T00:00:00Z')}:${USD}`, `tag:u:b:0.5:${Date.parse('2026-12-02T00:00:00Z')}:${USD}`]);
  });

  it('a throwing alert sink never breaks settling', () => {
    const ledger = new BudgetLedger({
      clock: () => 0,
      timeZone: 'UTC',
      keyBudgets: new Map([['k', keyBudget(1)]]),
      tagBudgets: [],
      onCross: () => {
        throw new Error('boom');
      },
    });
    const r = ledger.reserve({ keyName: 'k', tags: {}, estimateNano: USD });
    expect(() => r.ok && ledger.settle(r, USD)).not.toThrow();
    expect(ledger.snapshot()[0]!.spentNano).toBe(USD);
  });
});
