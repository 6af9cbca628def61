import assert from 'node:assert/strict';
import type { BudgetResetRecord, InstanceSpend } from '../../src/store/types.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { storeCase, type FacadeCase } from './contract-facade.js';
import { makeCall, rejected } from './fixtures.js';

/** The Store facade's modules (keys and call inserts are in contract-facade.ts): history, budgets, calls, meta, unitOfWork. */

const T0 = 1_750_000_000_000;
const HOUR = 3_600_000;

/** A call of `cost` nano-USD at T0 + `at` ms with the given key and tags (no other variation). */
const call = (at: number, keyName: string | null, cost: number | null, tags: Record<string, string> = {}) =>
  makeCall(0, { ts: T0 + at, keyName, costNano: cost, tags });

const reset = (over: Partial<BudgetResetRecord>): BudgetResetRecord => ({
  kind: 'key',
  budget: 'k',
  tagValue: null,
  allValues: false,
  period: 'day',
  periodStart: T0,
  resetAt: T0,
  by: 'admin',
  ...over,
});

const costs = (rows: InstanceSpend[]) => rows.map((r) => [r.tagValue, r.costNano]);

export const moduleCases: FacadeCase[] = [
  storeCase('unitOfWork: both writes commit together, or neither when fn throws; other statements wait for it', async (s, env) => {
    await s.unitOfWork(async (tx) => {
      await tx.keys.create({ name: 'a', prefix: 'p', hash: 'ha', createdAt: 1 });
      await tx.history.append({ ts: 1, actor: 'cli', action: 'create', keyName: 'a', details: {} });
    });
    const boom = new Error('boom');
    const err = await rejected(
      s.unitOfWork(async (tx) => {
        await tx.keys.create({ name: 'b', prefix: 'p', hash: 'hb', createdAt: 2 });
        await tx.history.append({ ts: 2, actor: 'cli', action: 'create', keyName: 'b', details: {} });
        throw boom;
      }),
    );
    assert.equal(err, boom);
    assert.deepEqual((await s.keys.list()).map((k) => k.name), ['a']);
    assert.deepEqual((await s.history.list()).map((e) => e.keyName), ['a']);

    // A statement issued while a unit of work awaits something else never sees it half
    // done: SQLite runs it after the COMMIT, PostgreSQL at once on another connection,
    // seeing the state before the unit of work.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let revoked!: () => void;
    const halfway = new Promise<void>((r) => (revoked = r));
    const work = s.unitOfWork(async (tx) => {
      await tx.keys.revoke('a', 5);
      revoked();
      await gate;
      await tx.keys.create({ name: 'c', prefix: 'p', hash: 'hc', createdAt: 3 });
    });
    await halfway;
    const listed = s.keys.list({ includeRevoked: true });
    if (env.dialect === 'postgres') await listed;
    release();
    await work;
    const seen = (await listed).map((k) => [k.name, k.revokedAt]);
    assert.deepEqual(seen, env.dialect === 'sqlite' ? [['a', 5], ['c', null]] : [['a', null]]);
    assert.deepEqual((await s.keys.list({ includeRevoked: true })).map((k) => [k.name, k.revokedAt]), [['a', 5], ['c', null]]);
  }),
  storeCase('history: appended entries listed oldest first, per key, newest `limit`', async (s) => {
    await s.history.append({ ts: 1, actor: 'cli', action: 'create', keyName: 'a', details: { prefix: 'mk_x' } });
    await s.history.append({ ts: 2, actor: 'admin', action: 'set', keyName: 'b', details: {} });
    await s.history.append({ ts: 3, actor: 'config', action: 'revoke', keyName: 'a', details: { n: 1 } });
    assert.deepEqual(
      (await s.history.list()).map((e) => [e.ts, e.actor, e.action, e.keyName, e.details]),
      [[1, 'cli', 'create', 'a', { prefix: 'mk_x' }], [2, 'admin', 'set', 'b', {}], [3, 'config', 'revoke', 'a', { n: 1 }]],
    );
    assert.deepEqual((await s.history.list({ keyName: 'a' })).map((e) => e.ts), [1, 3]);
    assert.deepEqual((await s.history.list({ limit: 2 })).map((e) => e.ts), [2, 3]);
    assert.deepEqual((await s.history.list({ keyName: 'a', limit: 1 })).map((e) => e.ts), [3]);
  }),
  storeCase('budgets: alerts and resets round-trip; lists filter by period start / reset time', async (s) => {
    const alert = { kind: 'tag' as const, budget: 'free', tagValue: 'u1', threshold: 0.8, period: 'day' as const, periodStart: 2000, armedFrom: 2000, spentNano: 5, limitNano: 10, soft: true, firedAt: 2500 };
    await s.budgets.recordAlert({ ...alert, periodStart: 1000, armedFrom: 1000, soft: false, tagValue: null });
    await s.budgets.recordAlert(alert);
    assert.deepEqual(await s.budgets.alerts({ periodStartFrom: 1500 }), [alert]);
    assert.deepEqual((await s.budgets.alerts()).map((a) => a.periodStart), [1000, 2000]);
    assert.deepEqual((await s.budgets.alerts({ limit: 1 })).map((a) => a.periodStart), [2000]);
    assert.equal((await s.budgets.alerts())[0]!.soft, false);

    await s.budgets.recordReset(reset({ resetAt: 50, kind: 'tag', budget: 'free', allValues: true, by: 'cli' }));
    await s.budgets.recordReset(reset({ resetAt: 100 }));
    assert.deepEqual(await s.budgets.resets(60), [reset({ resetAt: 100 })]);
    assert.deepEqual((await s.budgets.resets(-Infinity)).map((r) => [r.resetAt, r.allValues, r.by]), [[50, true, 'cli'], [100, false, 'admin']]);
  }),
  storeCase('budgets: repricesSeen is null until recorded, then the highest change id recorded (a lower one leaves it), read by another connection', async (s, env) => {
    assert.equal(await s.budgets.repricesSeen(), null);
    await s.budgets.recordRepricesSeen(0, 10);
    assert.equal(await s.budgets.repricesSeen(), 0);
    await s.budgets.recordRepricesSeen(7, 20);
    await s.budgets.recordRepricesSeen(5, 30);
    const other = await env.open();
    assert.equal(await other.budgets.repricesSeen(), 7);
    const rows = await other.rows<{ id: number; change_id: number; seen_at: number }>('SELECT id, change_id, seen_at FROM budget_reprices_seen');
    assert.deepEqual(rows.map((r) => [Number(r.id), Number(r.change_id), Number(r.seen_at)]), [[1, 7, 30]]);
    await other.close();
  }),
  storeCase('budgets: spendGroups sums priced calls per (key, tag set) with the earliest ts; spend lists instances with calls', async (s) => {
    await s.insertCalls([
      call(5, 'k', 100, { user: 'u1' }),
      call(1, 'k', 200, { user: 'u1' }),
      call(2, 'k', 0, { user: 'u2' }),
      call(3, 'other', null, { user: 'u2' }),
      call(4, null, 50, {}),
      call(HOUR, 'k', 1000, { user: 'u2' }),
    ]);
    const groups = await s.budgets.spendGroups(T0, T0 + HOUR);
    const byKey = groups.map((g) => [g.keyName, g.tags, g.ts - T0, g.costNano]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    assert.deepEqual(byKey, [['k', { user: 'u1' }, 1, 300], [null, {}, 4, 50]]);
    assert.deepEqual(await s.budgets.spendGroups(T0 + HOUR + 1, Infinity), []);

    assert.deepEqual(await s.budgets.spend({ kind: 'key', name: 'k' }, T0, T0 + HOUR), [{ tagValue: null, calls: 3, pricedCalls: 3, costNano: 300, inputTokens: 3000, outputTokens: 600 }]);
    // Calls without a cost add nothing to costNano and are left out of pricedCalls: an unknown spend, not $0 (report/known-cost.ts).
    assert.deepEqual(await s.budgets.spend({ kind: 'key', name: 'other' }, T0, T0 + HOUR), [{ tagValue: null, calls: 1, pricedCalls: 0, costNano: 0, inputTokens: 1000, outputTokens: 200 }]);
    assert.deepEqual(await s.budgets.spend({ kind: 'key', name: 'nobody' }, T0, T0 + HOUR), []);
    const perUser = await s.budgets.spend({ kind: 'tag', name: 'b', match: {}, per: 'user' }, T0, Infinity);
    assert.deepEqual(costs(perUser).sort(), [[null, 50], ['u1', 300], ['u2', 1000]]);
    assert.deepEqual(perUser.find((r) => r.tagValue === 'u2')!.calls, 3);
    assert.deepEqual(perUser.find((r) => r.tagValue === 'u2')!.pricedCalls, 2);
    assert.deepEqual(costs(await s.budgets.spend({ kind: 'tag', name: 'b', match: { user: 'u1' } }, T0, Infinity)), [[null, 300]]);
  }),
  storeCase('budgets.periodSpend: the period spend after resets, for key, shared and per-value budgets', async (s) => {
    const bounds = { period: 'day' as const, start: T0, end: T0 + 24 * HOUR };
    await s.insertCalls([
      call(-1, 'k', 7, { tier: 'free', user: 'u1' }), // before the period
      call(1 * HOUR, 'k', 10, { tier: 'free', user: 'u1' }),
      call(2 * HOUR, 'k', 20, { tier: 'free', user: 'u2' }),
      call(3 * HOUR, 'k', 40, { tier: 'free' }), // lacks the per tag: the (none) instance
      call(4 * HOUR, 'k', 80, { tier: 'pro', user: 'u3' }),
      call(5 * HOUR, 'k', null, { tier: 'free', user: 'u4' }), // unpriced: spends nothing
      call(24 * HOUR, 'k', 1000, { tier: 'free', user: 'u1' }), // the next period
    ]);
    const key = { kind: 'key' as const, name: 'k' };
    const free = { kind: 'tag' as const, name: 'free', match: { tier: 'free' } };
    const perUser = { ...free, name: 'per-user', per: 'user' };
    assert.deepEqual(costs(await s.budgets.periodSpend(key, bounds)), [[null, 150]]);
    assert.deepEqual(costs(await s.budgets.periodSpend(free, bounds)), [[null, 70]]);
    assert.deepEqual(costs(await s.budgets.periodSpend({ ...free, name: 'idle', match: { tier: 'none' } }, bounds)), [[null, 0]]);
    assert.deepEqual(costs(await s.budgets.periodSpend(perUser, bounds)), [[null, 40], ['u2', 20], ['u1', 10]]);
    assert.deepEqual(costs(await s.budgets.periodSpend(perUser, bounds, { top: 2 })), [[null, 40], ['u2', 20]]);

    // Resets of this period count from reset_at (a call in the very ms counts after it);
    // resets of another period, budget or period length do not.
    await s.budgets.recordReset(reset({ resetAt: T0 + 2 * HOUR }));
    await s.budgets.recordReset(reset({ resetAt: T0 + 4 * HOUR, periodStart: T0 - 24 * HOUR }));
    await s.budgets.recordReset(reset({ resetAt: T0 + 4 * HOUR, period: 'month' }));
    await s.budgets.recordReset(reset({ resetAt: T0 + 4 * HOUR, budget: 'other' }));
    await s.budgets.recordReset(reset({ resetAt: T0 + 4 * HOUR, kind: 'tag' }));
    assert.deepEqual(costs(await s.budgets.periodSpend(key, bounds)), [[null, 140]]);
    // Each entry says where it counts from: the reset it counted from, or the period start.
    const from = (list: Array<{ tagValue: string | null; countsFrom: number }>) => list.map((r) => [r.tagValue, r.countsFrom - T0]);
    assert.deepEqual(from(await s.budgets.periodSpend(key, bounds)), [[null, 2 * HOUR]]);
    assert.deepEqual(from(await s.budgets.periodSpend(free, bounds)), [[null, 0]]);
    await s.budgets.recordReset(reset({ kind: 'tag', budget: 'per-user', tagValue: 'u2', resetAt: T0 + 2 * HOUR + 1 }));
    assert.deepEqual(costs(await s.budgets.periodSpend(perUser, bounds)), [[null, 40], ['u1', 10], ['u2', 0]]);
    assert.deepEqual(from(await s.budgets.periodSpend(perUser, bounds)), [[null, 0], ['u1', 0], ['u2', 2 * HOUR + 1]]);
    await s.budgets.recordReset(reset({ kind: 'tag', budget: 'per-user', allValues: true, resetAt: T0 + 90 * 60_000 }));
    assert.deepEqual(costs(await s.budgets.periodSpend(perUser, bounds)), [[null, 40], ['u2', 0], ['u1', 0]]);
    assert.deepEqual(from(await s.budgets.periodSpend(perUser, bounds)), [[null, 90 * 60_000], ['u2', 2 * HOUR + 1], ['u1', 90 * 60_000]]);
  }),
  storeCase('budgets.periodSpend and spend count the calls that reached the provider, as reports do', async (s) => {
    const bounds = { period: 'day' as const, start: T0, end: T0 + 24 * HOUR };
    const notMetered = { usage: null, usageSource: 'not_metered' as const, ttfbMs: null, costNano: 0 };
    await s.insertCalls([
      call(1 * HOUR, 'k', 10, { user: 'u1' }),
      { ...call(2 * HOUR, 'k', 0, { user: 'u1' }), ...notMetered, outcome: 'refused', status: 429 }, // refused by a budget
      { ...call(3 * HOUR, 'k', 0, { user: 'u1' }), ...notMetered, outcome: 'upstream_failed', status: 502 }, // connection refused
      { ...call(4 * HOUR, 'k', 0, { user: 'u1' }), ...notMetered, outcome: 'upstream_error', status: 500 },
      { ...call(5 * HOUR, 'k', 5, { user: 'u1' }), outcome: 'client_aborted', status: 0 }, // reached it, billed
    ]);
    const calls = (rows: InstanceSpend[]) => rows.map((r) => [r.tagValue, r.calls, r.costNano]);
    assert.deepEqual(calls(await s.budgets.periodSpend({ kind: 'key', name: 'k' }, bounds)), [[null, 2, 15]]);
    assert.deepEqual(calls(await s.budgets.periodSpend({ kind: 'tag', name: 'pu', match: {}, per: 'user' }, bounds)), [['u1', 2, 15]]);
    assert.deepEqual(calls(await s.budgets.spend({ kind: 'key', name: 'k' }, T0, T0 + 24 * HOUR)), [[null, 2, 15]]);
  }),
  storeCase('calls: the scope\'s calls oldest first with --where filters; the first call time', async (s) => {
    assert.equal(await s.calls.firstCallAt(), null);
    await s.insertCalls([call(20, 'a', 5, { feature: 'x' }), call(10, 'b', null, { feature: 'y' }), { ...call(30, null, 7), usage: null, model: null, modelRequested: null }]);
    const scope = { since: T0, until: T0 + 100, where: [], timeZone: 'UTC' };
    const all = await s.calls.list(scope);
    assert.deepEqual(all.map((c) => [c.ts - T0, c.keyName, c.costNano, c.model]), [[10, 'b', null, 'gpt-4o-2024-08-06'], [20, 'a', 5, 'gpt-4o-2024-08-06'], [30, null, 7, '(none)']]);
    assert.deepEqual(all[1]!.tags, { feature: 'x' });
    // The requested model only when the answer named another (here a dated snapshot of gpt-4o).
    assert.deepEqual(all.map((c) => c.modelRequestedIfOther), ['gpt-4o', 'gpt-4o', null]);
    assert.equal(all[2]!.usage, null);
    assert.equal(all[0]!.usage?.inputTokens, 1000);
    assert.deepEqual((await s.calls.list({ ...scope, where: [{ key: 'feature', op: '=', value: 'x' }] })).map((c) => c.keyName), ['a']);
    assert.deepEqual((await s.calls.list({ ...scope, where: [{ key: 'feature', op: '!=', value: 'x' }] })).map((c) => c.keyName), ['b', null]);
    assert.deepEqual((await s.calls.list({ ...scope, since: T0 + 15 })).length, 2);
    assert.equal(await s.calls.firstCallAt(), T0 + 10);
    // With filters: the first call they match, at any time (the audit's per-month span under --where).
    assert.equal(await s.calls.firstCallAt([{ key: 'feature', op: '=', value: 'x' }]), T0 + 20);
    assert.equal(await s.calls.firstCallAt([{ key: 'feature', op: '=', value: '(none)' }]), T0 + 30);
    assert.equal(await s.calls.firstCallAt([{ key: 'feature', op: '=', value: 'x' }, { key: 'key', op: '=', value: 'b' }]), null);
  }),
  storeCase('calls: the audit\'s reads keep the billing conditions the price depends on (service_tier, inference_geo, speed)', async (s) => {
    // claude-opus-4-6 fast and US-only, 1,000 in + 500 out: recorded at 115,500,000 nano-USD
    // (17,500,000 × 6 × 1.1). The audit prices a call's usage again (audit/stats.ts priceAs,
    // repricedSaving): without speed and inference_geo it sees 17,500,000, 1/6.6 of the bill.
    const usage = { inputTokens: 1000, outputTokens: 500, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0, serviceTier: 'standard', inferenceGeo: 'us', speed: 'fast' };
    await s.insertCalls([makeCall(0, { ts: T0 + 10, provider: 'anthropic', endpoint: 'messages', modelRequested: 'claude-opus-4-6', model: 'claude-opus-4-6', usage, costNano: 115_500_000 })]);
    const [c] = await s.calls.list({ since: T0, until: T0 + 100, where: [], timeZone: 'UTC' });
    const priced = createPricer().price(c!.usage!, { provider: c!.provider, model: c!.model, at: c!.ts });
    assert.deepEqual([c!.usage?.serviceTier, c!.usage?.inferenceGeo, c!.usage?.speed], ['standard', 'us', 'fast']);
    assert.equal(c!.modelRequestedIfOther, null);
    assert.equal(priced.priced && priced.costNano, 115_500_000);
  }),
  storeCase('calls: the audit\'s reads keep a whisper-1 call\'s seconds of audio (usage.audioSeconds), which its price depends on', async (s) => {
    // whisper-1 at $0.36 per hour: 42.5 s = 42.5 × 0.36 / 3600 = 4,250,000 nano-USD. Without the seconds the
    // audit would see a usage of no tokens, unpriced.
    const usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0, audioSeconds: 42.5 };
    await s.insertCalls([makeCall(0, { ts: T0 + 10, provider: 'openai', endpoint: 'audio.transcriptions', modelRequested: 'whisper-1', model: 'whisper-1', usage, costNano: 4_250_000 })]);
    const [c] = await s.calls.list({ since: T0, until: T0 + 100, where: [], timeZone: 'UTC' });
    assert.equal(c!.usage?.audioSeconds, 42.5);
    const priced = createPricer().price(c!.usage!, { provider: c!.provider, model: c!.model, at: c!.ts });
    assert.equal(priced.priced && priced.costNano, 4_250_000);
  }),
  storeCase('calls: the audit\'s reads keep a call\'s image input tokens (usage.inputImageTokens), which its price depends on', async (s) => {
    // gpt-image-1: 1,200 input tokens of which 1,000 image, 4,160 image output: 200 × 5,000 + 1,000 × 10,000
    // + 4,160 × 40,000 = 177,400,000 nano-USD. Without the image count the audit sees 1,200 × 5,000 + 166,400,000
    // = 172,400,000 (oversized-prompts' input cost share would count no image input: b.inputImage 0).
    const usage = { inputTokens: 1200, outputTokens: 4160, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0, inputImageTokens: 1000, outputImageTokens: 4160 };
    await s.insertCalls([makeCall(0, { ts: T0 + 10, provider: 'openai', endpoint: 'images.edits', modelRequested: 'gpt-image-1', model: 'gpt-image-1', usage, costNano: 177_400_000 })]);
    const [c] = await s.calls.list({ since: T0, until: T0 + 100, where: [], timeZone: 'UTC' });
    assert.deepEqual([c!.usage?.inputImageTokens, c!.usage?.outputImageTokens], [1000, 4160]);
    const priced = createPricer().price(c!.usage!, { provider: c!.provider, model: c!.model, at: c!.ts });
    assert.equal(priced.priced && priced.costNano, 177_400_000);
  }),
  storeCase('calls: the audit\'s reads keep an Anthropic call\'s advisor sub-inferences (usage.advisors), which its price depends on', async (s) => {
    // claude-sonnet-4-6 10,000 in / 2,000 out = 60,000,000 nano-USD; claude-opus-4-6 advisor 9,000 (1,000 of them
    // cache reads) / 1,500: 8,000 × 5,000 + 1,000 × 500 + 1,500 × 25,000 = 78,000,000; a second advisor model,
    // claude-opus-4-7, 100 / 10 = 750,000. Recorded 138,750,000; without the advisors the audit sees 60,000,000.
    const advisors = [
      { model: 'claude-opus-4-6', inputTokens: 9000, outputTokens: 1500, cacheReadTokens: 1000, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 },
      { model: 'claude-opus-4-7', inputTokens: 100, outputTokens: 10, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 },
    ];
    const usage = { inputTokens: 10_000, outputTokens: 2_000, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0, serviceTier: 'standard', advisors };
    await s.insertCalls([
      makeCall(0, { ts: T0 + 10, provider: 'anthropic', endpoint: 'messages', modelRequested: 'claude-sonnet-4-6', model: 'claude-sonnet-4-6', usage, costNano: 138_750_000 }),
      makeCall(1, { ts: T0 + 20, provider: 'anthropic', endpoint: 'messages', modelRequested: 'claude-sonnet-4-6', model: 'claude-sonnet-4-6', usage: { ...usage, advisors: undefined }, costNano: 60_000_000 }),
    ]);
    const [c, plain] = await s.calls.list({ since: T0, until: T0 + 100, where: [], timeZone: 'UTC' });
    assert.deepEqual(c!.usage?.advisors, advisors);
    assert.equal(plain!.usage !== null && 'advisors' in plain!.usage, false);
    const priced = createPricer().price(c!.usage!, { provider: c!.provider, model: c!.model, at: c!.ts });
    assert.equal(priced.priced && priced.costNano, 138_750_000);
  }),
  storeCase('reconcile: metered usage of the named providers per UTC day × model, and the newest run per provider', async (s) => {
    const DAY = 86_400_000;
    const day0 = Math.floor(T0 / DAY) * DAY;
    const usage = (input: number, output: number) => ({ inputTokens: input, outputTokens: output, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0 });
    await s.insertCalls([
      makeCall(0, { ts: day0 + 1000, model: 'gpt-4o', usage: { ...usage(1000, 100), webSearches: 2, fileSearches: 3 }, costNano: 3000 }),
      makeCall(1, { ts: day0 + DAY - 1, model: 'gpt-4o', usage: { ...usage(500, 10), fileSearches: 1 }, costNano: 1000 }),
      makeCall(2, { ts: day0 + DAY, model: 'gpt-4o', usage: usage(7, 7), costNano: 7 }),
      // Unpriced: its searches are in no cost, so they are not summed.
      makeCall(3, { ts: day0 + 2000, model: 'gpt-4o-mini', usage: { ...usage(10, 1), webSearches: 5, fileSearches: 5 }, costNano: null }),
      makeCall(4, { ts: day0 + 5000, provider: 'anthropic', model: 'claude-haiku-4-5', usage: usage(99, 9), costNano: 99 }),
      // Searches on the web_search_preview tool (calls.web_search_preview), summed apart too: OpenAI bills them by their own fee.
      makeCall(5, { ts: day0 + DAY + 1, model: 'gpt-4o', usage: { ...usage(1, 1), webSearches: 3, webSearchPreview: true }, costNano: 75_000_000 }),
      makeCall(6, { ts: day0 + 3000, model: 'gpt-4o-mini', usage: { ...usage(1, 1), webSearches: 4, webSearchPreview: true }, costNano: null }),
    ]);
    const rows = await s.reconcile.meteredUsage({ providers: ['openai'], since: day0, until: day0 + 2 * DAY });
    assert.deepEqual(rows.map((r) => [r.day - day0, r.model, r.calls, r.unpriced, r.inputTokens, r.outputTokens, r.costNano, r.webSearches, r.fileSearches, r.previewWebSearches]), [
      [0, 'gpt-4o', 2, 0, 1500, 110, 4000, 2, 4, 0],
      [0, 'gpt-4o-mini', 2, 2, 11, 2, 0, 0, 0, 0],
      [DAY, 'gpt-4o', 2, 0, 8, 8, 75_000_007, 3, 0, 3],
    ]);
    // Several providers (one organization's): their calls summed per day × model; none named, no rows.
    const both = await s.reconcile.meteredUsage({ providers: ['openai', 'anthropic'], since: day0, until: day0 + DAY });
    assert.deepEqual(both.map((r) => [r.model, r.calls, r.costNano]), [['claude-haiku-4-5', 1, 99], ['gpt-4o', 2, 4000], ['gpt-4o-mini', 2, 0]]);
    assert.deepEqual(await s.reconcile.meteredUsage({ providers: [], since: day0, until: day0 + 2 * DAY }), []);
    assert.equal(await s.reconcile.rawCallsSince(), 0);
    const run = (provider: string, ranAt: number, unmeteredRequests: number | null) => ({
      provider, ranAt, since: day0, until: day0 + 7 * DAY, rows: 6, differing: 1, unmeteredRows: 1, unmeteredRequests, unmeteredNano: 672_000_000, meterNano: 1, billNano: 2,
    });
    await s.reconcile.insertRun(run('openai', T0 + 1, 12));
    await s.reconcile.insertRun(run('openai', T0 + 2, 0));
    await s.reconcile.insertRun(run('anthropic', T0 + 1, null));
    assert.deepEqual(await s.reconcile.latestRuns(), [run('anthropic', T0 + 1, null), run('openai', T0 + 2, 0)]);
  }),
  storeCase('meta: application id round-trips; countOutside counts foreign keys and calls', async (s) => {
    assert.equal(await s.meta.applicationId(), 0);
    await s.meta.setApplicationId(0x746b6d64);
    assert.equal(await s.meta.applicationId(), 0x746b6d64);
    await assert.rejects(s.meta.setApplicationId(1.5), RangeError);
    await s.keys.create({ name: 'a', prefix: 'p', hash: 'ha', createdAt: 1 });
    await s.keys.create({ name: 'b', prefix: 'p', hash: 'hb', createdAt: 1 });
    await s.insertCalls([call(1, 'a', 1), call(2, 'c', 1), call(3, null, 1)]);
    assert.deepEqual(await s.meta.countOutside(['a', 'b']), { keys: 0, calls: 2 });
    assert.deepEqual(await s.meta.countOutside(['a']), { keys: 1, calls: 2 });
    assert.deepEqual(await s.meta.countOutside([]), { keys: 2, calls: 3 });
  }),
  storeCase('meta: the config a starting serve enforces round-trips on PostgreSQL (the newest start wins); SQLite keeps it in the serve marker', async (s, env) => {
    assert.equal(await s.meta.servedConfig(), null);
    const fingerprint = 2 ** 52 - 3; // the largest a 13-hex-digit fingerprint takes, exact in BIGINT and a JS number
    await s.meta.recordServedConfig(fingerprint, 1_765_000_000_000);
    await s.meta.recordServedConfig(fingerprint - 1, 1_765_000_000_500);
    assert.deepEqual(await s.meta.servedConfig(), env.dialect === 'postgres' ? { fingerprint: fingerprint - 1, startedAt: 1_765_000_000_500 } : null);
  }),
];
