import assert from 'node:assert/strict';
import { repricer } from '../../src/cli/prices-reprice.js';
import { computeCost } from '../../src/pricing/compute.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { normaliseAnthropicUsage } from '../../src/providers/anthropic-usage.js';
import { createAnthropicAdapter } from '../../src/providers/anthropic.js';
import { createOpenAiAdapter } from '../../src/providers/openai.js';
import type { Rates } from '../../src/pricing/rates.js';
import type { RepriceCall, RepricePrice } from '../../src/store/price-records.js';
import type { Usage } from '../../src/providers/types.js';
import type { CallRecord } from '../../src/store/types.js';
import { storeCase, type ContractStore, type FacadeCase } from './contract-facade.js';
import { makeCall, rejected } from './fixtures.js';
import { snapshot } from './pg/snapshot.js';

/**
 * `store.prices` on every store (both SQLite drivers and PostgreSQL): catalog snapshots,
 * repricing of stored calls (calls, rollups, entity rows) and its audit trail.
 */

const T0 = 1_750_000_000_000; // 2025-06-15T15:06:40Z
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The prices "now": per-token rates by model; `claude` has none (its calls keep their cost). */
function priceNow(model: string, input: number, output: number): { costNano: number; priceSource: string } | null {
  if (model === 'gpt-4o') return { costNano: input * 3 + output * 12, priceSource: 'config' };
  if (model === 'gpt-4o-mini') return { costNano: input + output * 4, priceSource: 'config' };
  return null;
}
const price: RepricePrice = (c: RepriceCall) => priceNow(c.model, c.usage.inputTokens, c.usage.outputTokens);

/** A price for every usage dimension, each rate different so no two columns can stand in for each other (pico-USD per token, per search). */
const ALL_RATES: Rates = Object.fromEntries(
  Object.entries({
    input: 1_250_000, cacheRead: 125_000, cacheWrite5m: 1_562_500, cacheWrite1h: 2_500_000, inputAudio: 10_000_000, cacheAudioRead: 2_000_333, inputImage: 5_000_000,
    output: 10_000_000, outputAudio: 20_000_000, outputImage: 30_000_000, outputReasoning: 12_000_000, webSearch: 10_000_000_000,
    fileSearch: 2_500_000_007,
  }).map(([dimension, pico]) => [dimension, { base: pico, tiers: [] }]),
);
/** The pricer's own arithmetic (computeCost) at ALL_RATES. */
const priceEveryColumn: RepricePrice = (c) => {
  const r = computeCost(c.usage, ALL_RATES);
  return r.ok ? { costNano: r.value.costNano, priceSource: 'config' } : null;
};

const usage = (input: number, output: number) => ({ inputTokens: input, outputTokens: output, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0 });

/** A call at T0 + `at` ms; everything else as makeCall(i) unless given. */
const call = (i: number, at: number, over: Partial<CallRecord>): CallRecord => makeCall(i, { ts: T0 + at, usage: usage(1000 + i, 100 + i), ...over });

/**
 * Calls that touch every kind of row: rolled-up tags, user and session entity rows over two
 * months, a call unpriced before, a model without a price now, estimated usage, calls with
 * no usage (refused, unknown), a model known only as requested, a call before the range.
 */
const CALLS: CallRecord[] = [
  call(1, 0, { keyName: 'a', model: 'gpt-4o', tags: { feature: 'chat', user_id: 'u1', user_tier: 'free' }, costNano: 100 }),
  call(2, HOUR, { keyName: 'a', model: 'gpt-4o', tags: { feature: 'chat', user_id: 'u2' }, costNano: 200 }),
  call(3, HOUR + 5, { keyName: 'b', model: 'gpt-4o-mini', tags: { feature: 'search', user_id: 'u1', session_id: 's1' }, costNano: null, priceSource: null }),
  call(4, 2 * HOUR, { keyName: 'b', model: 'gpt-4o-mini', tags: { feature: 'search' }, costNano: 50, usageSource: 'estimated' }),
  call(5, 2 * HOUR, { keyName: 'a', model: 'claude', modelRequested: 'claude', tags: { feature: 'chat' }, costNano: 70 }),
  call(6, 2 * HOUR + 1, { model: 'gpt-4o', outcome: 'refused', status: 429, usage: null, usageSource: 'not_metered', costNano: null, ttfbMs: null }),
  call(7, 2 * HOUR + 2, { model: 'gpt-4o', usage: null, usageSource: 'unknown', costNano: null }),
  call(8, 3 * HOUR, { model: 'gpt-4o', outcome: 'upstream_failed', status: 502, ttfbMs: null, usageSource: 'estimated', costNano: 40, tags: { user_id: 'u3' } }),
  call(9, -HOUR, { keyName: 'a', model: 'gpt-4o', tags: { feature: 'chat', user_id: 'u1' }, costNano: 100 }),
  call(10, 3 * HOUR, { model: null, modelRequested: 'gpt-4o', costNano: 10, tags: { feature: 'chat' } }),
  call(11, 16 * DAY, { keyName: 'a', model: 'gpt-4o', tags: { feature: 'chat', user_id: 'u1', session_id: 's2' }, costNano: 300 }),
  call(12, 16 * DAY + HOUR, { keyName: null, model: 'gpt-4o-mini', tags: {}, costNano: 30 }),
];

const SINCE = T0;
const UNTIL = T0 + 40 * DAY;
/** The run's clock: every call of the range lies in the last 32 days, so each change moves budgets. */
const NOW = T0 + 20 * DAY;

/** The call as stored had it been written at the prices now (only calls reprice examines change). */
function atNewPrices(c: CallRecord): CallRecord {
  const model = c.model ?? c.modelRequested;
  if (c.usage === null || model === null || c.ts < SINCE || c.ts >= UNTIL) return c;
  const p = priceNow(model, c.usage.inputTokens, c.usage.outputTokens);
  return p === null ? c : { ...c, costNano: p.costNano, priceSource: p.priceSource };
}

/** Inserts CALLS (or their new-price versions) in the same two batches every time. */
async function insert(s: ContractStore, calls: readonly CallRecord[]): Promise<void> {
  await s.insertCalls(calls.slice(0, 7));
  await s.insertCalls(calls.slice(7));
}

const reprice = (s: ContractStore, over: { dryRun?: boolean; batchSize?: number } = {}) =>
  s.prices.reprice({ since: SINCE, until: UNTIL, actor: 'me@host', clock: () => NOW, prices: 'config, overrides', price, ...over });

export const priceCases: FacadeCase[] = [
  storeCase('prices: snapshots round-trip; the newest is in force; lists newest first without data; a store opened to read cannot store one', async (s, env) => {
    assert.equal(await s.prices.latestSnapshotId(), null);
    assert.equal(await s.prices.latestSnapshot(), null);
    assert.deepEqual(await s.prices.listSnapshots(10), []);
    const first = { origin: 'https://example.test/data.json', fetchedAt: T0, sha256: 'a'.repeat(64), providers: 2, models: 30, forced: false, data: '[{"id":"openai"}]' };
    const second = { ...first, origin: '/tmp/data.json', fetchedAt: T0 + DAY, sha256: 'b'.repeat(64), forced: true, data: '[{"id":"anthropic","välue":"ü"}]' };
    const id1 = await s.prices.insertSnapshot(first);
    const id2 = await s.prices.insertSnapshot(second);
    assert.ok(id2 > id1);
    const ro = await env.open('read');
    assert.equal(await ro.prices.latestSnapshotId(), id2);
    assert.deepEqual(await ro.prices.latestSnapshot(), { id: id2, ...second });
    const { data: _d1, ...info1 } = first;
    const { data: _d2, ...info2 } = second;
    assert.deepEqual(await ro.prices.listSnapshots(10), [{ id: id2, ...info2 }, { id: id1, ...info1 }]);
    assert.deepEqual(await ro.prices.listSnapshots(1), [{ id: id2, ...info2 }]);
    assert.ok(await rejected(ro.prices.insertSnapshot(first)));
    assert.equal(await s.prices.latestSnapshotId(), id2);
    await ro.close();
  }),
  {
    name: 'prices.reprice: calls, rollups, entity rows and tag state end as if the calls had been written at the new prices (batches of 3)',
    async run(env) {
      const s = await env.open();
      await insert(s, CALLS);
      const result = await reprice(s, { batchSize: 3 });
      const repriced = await snapshot((sql) => s.rows(sql), env.dialect);
      await s.close();

      const fresh = await env.open();
      await fresh.exec(
        `${env.dialect === 'sqlite' ? 'DELETE FROM call_postings; ' : ''}DELETE FROM call_tag_keys; DELETE FROM calls; DELETE FROM rollups; DELETE FROM rollup_dims; DELETE FROM entity_months; DELETE FROM entity_counts;
         DELETE FROM tag_key_days; DELETE FROM tag_keys; DELETE FROM rollup_state WHERE name IN ('first_hour', 'last_hour')`,
      );
      await fresh.close();
      const written = await env.open();
      await insert(written, CALLS.map(atNewPrices));
      assert.deepEqual(repriced, await snapshot((sql) => written.rows(sql), env.dialect));
      const costOf = (calls: readonly CallRecord[]) => calls.reduce((n, c) => n + (c.costNano ?? 0), 0);
      assert.equal(result.newTotalNano - result.oldTotalNano, costOf(CALLS.map(atNewPrices)) - costOf(CALLS));
      await written.close();
    },
  },
  storeCase('prices.reprice records the run and per-model totals, with the calls that had a cost before and after, and budget spend changes; a dry run writes nothing; a second run changes nothing', async (s, env) => {
    await insert(s, CALLS);
    const before = await snapshot((sql) => s.rows(sql), env.dialect);

    const dry = await reprice(s, { dryRun: true });
    // Examined: calls in range with usage and a model (not 6, 7 or 9); claude has no price now.
    assert.deepEqual([dry.runId, dry.calls, dry.changed, dry.unpriced], [null, 9, 8, 1]);
    assert.deepEqual(await snapshot((sql) => s.rows(sql), env.dialect), before);
    assert.deepEqual(await s.prices.repriceRuns(10), []);
    assert.equal(await s.prices.latestSpendChangeId(), 0);

    const run = await reprice(s, { batchSize: 4 });
    assert.deepEqual({ ...run, runId: null }, dry);
    assert.ok(run.runId !== null && run.runId > 0);
    const [recorded] = await s.prices.repriceRuns(10);
    assert.deepEqual(
      { ...recorded!, models: undefined },
      {
        id: run.runId, actor: 'me@host', startedAt: NOW, finishedAt: NOW, since: SINCE, until: UNTIL, model: null, prices: 'config, overrides', calls: 9, changed: 8, unpriced: 1,
        oldTotalNano: run.oldTotalNano, newTotalNano: run.newTotalNano, oldPricedCalls: 8, newPricedCalls: 9, models: undefined,
      },
    );
    // The counts of calls with a cost are recorded (schema v24, PostgreSQL v19), so `prices history` tells an unknown cost
    // from $0: call 3 had none before (gpt-4o-mini 2 of 3), claude's call keeps its cost (1 of 1), every gpt-4o call has one.
    assert.deepEqual(recorded!.models, run.models.map((m) => ({ ...m, unpriced: 0 })));
    assert.deepEqual(
      recorded!.models.map((m) => [m.model, m.oldPricedCalls, m.newPricedCalls]).sort(),
      [['claude', 1, 1], ['gpt-4o', 5, 5], ['gpt-4o-mini', 2, 3]],
    );
    assert.deepEqual(
      run.models.map((m) => [m.model, m.calls, m.changed]).sort(),
      [['claude', 1, 0], ['gpt-4o', 5, 5], ['gpt-4o-mini', 3, 3]],
    );

    const changed = CALLS.filter((c) => atNewPrices(c).costNano !== c.costNano).sort((a, b) => a.ts - b.ts);
    const changes = await s.prices.spendChangesAfter(0, 100);
    assert.deepEqual(
      changes.map((c) => [c.ts, c.keyName, c.tags, c.deltaNano]),
      changed.map((c) => [c.ts, c.keyName, c.tags, atNewPrices(c).costNano! - (c.costNano ?? 0)]),
    );
    assert.ok(changes.every((c, i) => i === 0 || c.id > changes[i - 1]!.id));
    assert.equal(await s.prices.latestSpendChangeId(), changes.at(-1)!.id);
    assert.deepEqual((await s.prices.spendChangesAfter(changes[2]!.id, 2)).map((c) => c.id), [changes[3]!.id, changes[4]!.id]);
    // Usage flags stay as recorded.
    assert.deepEqual(
      (await s.rows<{ usage_source: string }>('SELECT usage_source FROM calls ORDER BY ts, id')).map((r) => r.usage_source),
      [...CALLS].sort((a, b) => a.ts - b.ts).map((c) => c.usageSource),
    );

    const again = await reprice(s);
    assert.equal(again.changed, 0);
    assert.equal(again.newTotalNano, run.newTotalNano);
    assert.equal(await s.prices.latestSpendChangeId(), changes.at(-1)!.id);
    assert.deepEqual((await s.prices.repriceRuns(10)).map((r) => r.id), [again.runId, run.runId]);
  }),
  storeCase('prices.reprice prices a call from every usage column stored (cache writes, audio, cached audio, image input and output, reasoning, web and file searches) to the nano-USD', async (s) => {
    const stored = {
      inputTokens: 10_000, outputTokens: 3000, cacheReadTokens: 2000, cacheWrite5mTokens: 1000, cacheWrite1hTokens: 500, reasoningTokens: 700,
      inputAudioTokens: 800, outputAudioTokens: 400, cacheAudioReadTokens: 300, inputImageTokens: 1000, outputImageTokens: 600, webSearches: 3, fileSearches: 4, serviceTier: 'flex',
    };
    await s.insertCalls([call(1, 0, { model: 'gpt-4o', usage: stored, costNano: 1 })]);
    const seen: RepriceCall[] = [];
    const result = await s.prices.reprice({ since: SINCE, until: UNTIL, actor: 'me@host', clock: () => NOW, prices: 'config', price: (c) => (seen.push(c), priceEveryColumn(c)) });
    // The call as stored, every count and the service tier (a column read into the wrong field, or left out, shows here).
    assert.deepEqual(seen.map((c) => c.usage), [stored]);
    // ALL_RATES in pico-USD per token (per search), by hand:
    //   uncached input  (10000 − 2000 − 1000 − 500 − 800 + 300 cached audio − 1000 image)
    //                   = 5000 × 1 250 000                                                         =  6 250 000 000
    //   cache read      (2000 − 300) = 1700 × 125 000 + 300 cached audio × 2 000 333              =    812 599 900
    //   cache write 5m  1000 × 1 562 500                                                           =  1 562 500 000
    //   cache write 1h  500 × 2 500 000                                                            =  1 250 000 000
    //   audio input     (800 − 300) = 500 × 10 000 000                                             =  5 000 000 000
    //   image input     1000 × 5 000 000                                                           =  5 000 000 000
    //   output          (3000 − 400 audio − 600 image − 700 reasoning) = 1300 × 10 000 000         = 13 000 000 000
    //   audio output    400 × 20 000 000                                                           =  8 000 000 000
    //   image output    600 × 30 000 000                                                           = 18 000 000 000
    //   reasoning       700 × 12 000 000                                                           =  8 400 000 000
    //   web searches    3 × 10 000 000 000                                                         = 30 000 000 000
    //   file searches   4 × 2 500 000 007                                                          = 10 000 000 028
    //   total 107 275 099 928 pico → 107 275 100 nano (rounded half up)
    const expected = 107_275_100;
    assert.deepEqual([result.changed, result.oldTotalNano, result.newTotalNano], [1, 1, expected]);
    // Strictly equal: both Db seams hand bigint columns over as numbers, never as text (PostgreSQL's int8 is parsed in drivers/postgres.ts).
    const rows = await s.rows('SELECT cost_nano, price_source, input_tokens, cache_audio_read_tokens, input_image_tokens, web_searches, file_searches FROM calls');
    assert.deepEqual(rows, [{ cost_nano: expected, price_source: 'config', input_tokens: 10_000, cache_audio_read_tokens: 300, input_image_tokens: 1000, web_searches: 3, file_searches: 4 }]);
    assert.deepEqual((await s.prices.spendChangesAfter(0, 10)).map((c) => c.deltaNano), [expected - 1]);
  }),
  storeCase('prices.reprice prices an Anthropic US-only fast-mode call again as the proxy priced it (usage.inference_geo and usage.speed are stored)', async (s) => {
    // claude-opus-4-6 at T0 (the catalog's first version: $5 input, $25 output per 1M below
    // 200,000 input tokens): 1,000 × 5,000 + 500 × 25,000 = 17,500,000 nano-USD at the list
    // price; fast mode 6× and US-only 1.1×: 17,500,000 × 6.6 = 115,500,000 nano-USD.
    const usage = normaliseAnthropicUsage({ input_tokens: 1000, output_tokens: 500, service_tier: 'standard', inference_geo: 'us', speed: 'fast' });
    assert.ok(usage !== null);
    const pricer = createPricer();
    const asRecorded = pricer.price(usage, { provider: 'anthropic', model: 'claude-opus-4-6', at: T0 });
    assert.ok(asRecorded.priced);
    assert.equal(asRecorded.costNano, 115_500_000);
    await s.insertCalls([call(1, 0, { provider: 'anthropic', model: 'claude-opus-4-6', usage, costNano: asRecorded.costNano, priceSource: asRecorded.source })]);
    const result = await s.prices.reprice({ since: SINCE, until: UNTIL, actor: 'me@host', clock: () => NOW, prices: 'catalog', price: repricer(pricer) });
    // Before schema v17 (PostgreSQL v12) the two conditions were not stored: the reprice read
    // the call back at the list price and cut it to 17,500,000.
    assert.deepEqual([result.changed, result.oldTotalNano, result.newTotalNano], [0, 115_500_000, 115_500_000]);
    assert.deepEqual(await s.rows('SELECT cost_nano FROM calls'), [{ cost_nano: 115_500_000 }]);
  }),
  storeCase('prices.reprice prices an OpenAI priority-tier call at the priority price (service_tier is stored)', async (s) => {
    // gpt-4o, 10,000 input (4,000 cached) and 2,000 output, served on priority. Recorded at the
    // standard $2.50 / $1.25 / $10 per 1M before priority had a price: 15,000,000 + 5,000,000 +
    // 20,000,000 = 40,000,000. Priority ($4.25 / $2.125 / $17, openai.com/api-priority-processing):
    // 6,000 × 4,250 + 4,000 × 2,125 + 2,000 × 17,000 = 25,500,000 + 8,500,000 + 34,000,000 = 68,000,000.
    const stored = { ...usage(10_000, 2_000), cacheReadTokens: 4_000, serviceTier: 'priority' };
    await s.insertCalls([call(1, 0, { provider: 'openai', model: 'gpt-4o', usage: stored, costNano: 40_000_000, priceSource: 'genai-prices@0.1.8' })]);
    const result = await s.prices.reprice({ since: SINCE, until: UNTIL, actor: 'me@host', clock: () => NOW, prices: 'catalog', price: repricer(createPricer()) });
    assert.deepEqual([result.changed, result.oldTotalNano, result.newTotalNano], [1, 40_000_000, 68_000_000]);
    assert.deepEqual(await s.rows('SELECT cost_nano FROM calls'), [{ cost_nano: 68_000_000 }]);
  }),
  storeCase('prices.reprice prices an OpenAI web_search_preview call on a non-reasoning model again at $25 per search (calls.web_search_preview is stored)', async (s) => {
    // gpt-4o-mini, 1,000 input and 100 output tokens and one search on the preview tool:
    // 1,000 × 150 + 100 × 600 = 210,000 nano of tokens, 1 × $25 / 1,000 = 25,000,000 nano of
    // search (OpenAI's fee for web_search_preview on non-reasoning models): 25,210,000. The same
    // call on the GA web_search tool: 10,210,000.
    const preview = { ...usage(1000, 100), webSearches: 1, webSearchPreview: true };
    const ga = { ...usage(1000, 100), webSearches: 1 };
    const pricer = createPricer();
    const recorded = pricer.price(preview, { provider: 'openai', model: 'gpt-4o-mini', at: T0 });
    assert.ok(recorded.priced);
    assert.equal(recorded.costNano, 25_210_000);
    await s.insertCalls([
      call(1, 0, { provider: 'openai', model: 'gpt-4o-mini', usage: preview, costNano: 25_210_000, priceSource: recorded.source }),
      call(2, 1, { provider: 'openai', model: 'gpt-4o-mini', usage: ga, costNano: 10_210_000, priceSource: recorded.source }),
    ]);
    assert.deepEqual(await s.rows('SELECT web_searches, web_search_preview FROM calls ORDER BY ts'), [{ web_searches: 1, web_search_preview: 1 }, { web_searches: 1, web_search_preview: null }]);
    const result = await s.prices.reprice({ since: SINCE, until: UNTIL, actor: 'me@host', clock: () => NOW, prices: 'catalog', price: repricer(pricer) });
    // Read back without the tool, the preview call was repriced at $10 per 1,000: 10,210,000.
    assert.deepEqual([result.changed, result.oldTotalNano, result.newTotalNano], [0, 35_420_000, 35_420_000]);
    assert.deepEqual(await s.rows('SELECT cost_nano FROM calls ORDER BY ts'), [{ cost_nano: 25_210_000 }, { cost_nano: 10_210_000 }]);
  }),
  storeCase('prices.reprice prices a whisper-1 call again from its stored seconds of audio (calls.audio_seconds); one stored without them stays unpriced', async (s) => {
    // The proxy records whisper-1 as it answers (usage {type: "duration", seconds: 42}): no token
    // counts, 42 s of audio, 42 × $0.36 / 3600 = 4,200,000 nano-USD at the catalog's price.
    const whisper = call(1, 0, { endpoint: 'audio.transcriptions', model: 'whisper-1', modelRequested: 'whisper-1', usage: { ...usage(0, 0), audioSeconds: 42 }, usageSource: 'reported', costNano: 4_200_000, priceSource: 'genai-prices@0.1.8' });
    // gpt-4o-transcribe is billed by tokens: 1,000 × 2,500 + 200 × 10,000 = 4,500,000 nano-USD at the prices: rates below.
    const tokens = call(2, 1, { endpoint: 'audio.transcriptions', model: 'gpt-4o-transcribe', modelRequested: 'gpt-4o-transcribe', usage: usage(1000, 200), usageSource: 'reported', costNano: null, priceSource: null });
    // A whisper-1 call recorded before its seconds were stored: nothing to price it again from.
    const old = call(3, 2, { endpoint: 'audio.transcriptions', model: 'whisper-1', modelRequested: 'whisper-1', usage: usage(0, 0), usageSource: 'reported', costNano: null, priceSource: null });
    await s.insertCalls([whisper, tokens, old]);
    assert.deepEqual(await s.rows('SELECT audio_seconds FROM calls ORDER BY ts'), [{ audio_seconds: 42 }, { audio_seconds: null }, { audio_seconds: null }]);
    // audio_hour $0.72: 42 × 0.72 / 3600 = $0.0084 = 8,400,000 nano-USD.
    const configured = { 'whisper-1': { provider: 'openai', input: 2.5, output: 10, audio_hour: 0.72 }, 'gpt-4o-transcribe': { provider: 'openai', input: 2.5, output: 10 } };
    const pricer = createPricer(configured);
    const result = await s.prices.reprice({ since: SINCE, until: UNTIL, actor: 'me@host', clock: () => NOW, prices: 'catalog', price: repricer(pricer) });
    assert.deepEqual([result.calls, result.changed, result.unpriced, result.newTotalNano], [3, 2, 1, 12_900_000]);
    assert.deepEqual(await s.rows('SELECT model, cost_nano FROM calls ORDER BY ts'), [{ model: 'whisper-1', cost_nano: 8_400_000 }, { model: 'gpt-4o-transcribe', cost_nano: 4_500_000 }, { model: 'whisper-1', cost_nano: null }]);
  }),
  storeCase('prices.reprice leaves a dall-e-3 image unpriced (billed per image, recorded without tokens) though prices: gives dall-e-3 a token price', async (s) => {
    // The proxy records a per-image model's call as reported usage without tokens, unpriced
    // (providers/openai-images.ts usagelessImages): a token price would read it as $0.
    const image = call(1, 0, { endpoint: 'images.generations', model: 'dall-e-3', modelRequested: 'dall-e-3', usage: usage(0, 0), usageSource: 'reported', costNano: null, priceSource: null, error: "'dall-e-3' is billed per image, and tokometer has no per-image price for it: recorded without tokens or cost" });
    await s.insertCalls([image]);
    const pricer = createPricer({ 'dall-e-3': { provider: 'openai', input: 5, output: 40 } });
    const result = await s.prices.reprice({ since: SINCE, until: UNTIL, actor: 'me@host', clock: () => NOW, prices: 'catalog', price: repricer(pricer) });
    assert.deepEqual([result.calls, result.changed, result.unpriced, result.newTotalNano], [1, 0, 1, 0]);
    assert.deepEqual(await s.rows('SELECT cost_nano FROM calls'), [{ cost_nano: null }]);
  }),
  storeCase('prices.reprice prices a gpt-image-1 edit again to the nano-USD the proxy recorded (calls.input_image_tokens is stored)', async (s) => {
    // gpt-image-1 ($5 text in, $10 image in, $40 out per 1M): 1,200 input of which 1,000 image
    // (the uploaded image), 4,160 output: 200 × 5,000 + 1,000 × 10,000 + 4,160 × 40,000 = 177,400,000.
    const usage = { inputTokens: 1_200, outputTokens: 4_160, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0, inputImageTokens: 1_000, outputImageTokens: 4_160 };
    const asRecorded = createPricer().price(usage, { provider: 'openai', model: 'gpt-image-1', at: T0 });
    assert.ok(asRecorded.priced);
    assert.equal(asRecorded.costNano, 177_400_000);
    await s.insertCalls([call(1, 0, { provider: 'openai', endpoint: 'images.edits', model: 'gpt-image-1', modelRequested: 'gpt-image-1', usage, costNano: asRecorded.costNano, priceSource: asRecorded.source })]);
    // Prices unchanged: the reprice agrees with the proxy. Without the image tokens stored it
    // priced all 1,200 input tokens as text: 172,400,000.
    const result = await s.prices.reprice({ since: SINCE, until: UNTIL, actor: 'me@host', clock: () => NOW, prices: 'catalog', price: repricer(createPricer()) });
    assert.deepEqual([result.changed, result.oldTotalNano, result.newTotalNano], [0, 177_400_000, 177_400_000]);
    assert.deepEqual(await s.rows('SELECT cost_nano, input_tokens, input_image_tokens, output_image_tokens FROM calls'), [{ cost_nano: 177_400_000, input_tokens: 1_200, input_image_tokens: 1_000, output_image_tokens: 4_160 }]);
  }),
  storeCase('a whisper-1 call keeps its fractional seconds of audio (calls.audio_seconds) through insert and read', async (s) => {
    await s.insertCalls([call(1, 0, { endpoint: 'audio.translations', model: 'whisper-1', modelRequested: 'whisper-1', usage: { ...usage(0, 0), audioSeconds: 9.25 }, usageSource: 'reported', costNano: 925_000, priceSource: 'genai-prices@0.1.8' })]);
    assert.deepEqual(await s.rows('SELECT audio_seconds, cost_nano FROM calls'), [{ audio_seconds: 9.25, cost_nano: 925_000 }]);
  }),
  storeCase('a Mistral OCR call keeps its pages (calls.document_pages, annotated_pages), and prices.reprice prices it again from them to the same cost', async (s) => {
    // mistral-ocr-2512 at the catalog's $2 per 1,000 pages and $3 per 1,000 annotated pages (instead
    // of the page price): 12 pages = 24,000,000 nano-USD; 12 annotated pages = 12 × 3,000,000 = 36,000,000.
    const pages = (documentPages: number, annotatedPages?: number): Usage => ({ ...usage(0, 0), documentPages, ...(annotatedPages === undefined ? {} : { annotatedPages }) });
    const ocr = (i: number, u: Usage, costNano: number) =>
      call(i, i, { provider: 'mistral', endpoint: 'ocr', model: 'mistral-ocr-2512', modelRequested: 'mistral-ocr-2512', usage: u, usageSource: 'reported', costNano, priceSource: 'genai-prices@0.1.8' });
    await s.insertCalls([ocr(1, pages(12), 24_000_000), ocr(2, pages(12, 12), 36_000_000)]);
    assert.deepEqual(await s.rows('SELECT document_pages, annotated_pages FROM calls ORDER BY ts'), [{ document_pages: 12, annotated_pages: null }, { document_pages: 12, annotated_pages: 12 }]);
    const result = await s.prices.reprice({ since: SINCE, until: UNTIL, actor: 'me@host', clock: () => NOW, prices: 'catalog', price: repricer(createPricer()) });
    assert.deepEqual([result.calls, result.changed, result.unpriced, result.oldTotalNano, result.newTotalNano], [2, 0, 0, 60_000_000, 60_000_000]);
    assert.deepEqual(await s.rows('SELECT cost_nano FROM calls ORDER BY ts'), [{ cost_nano: 24_000_000 }, { cost_nano: 36_000_000 }]);
  }),
  storeCase('prices.reprice prices the advisor sub-inferences of an Anthropic call again at the advisor model\'s new price (usage.advisors is stored)', async (s) => {
    // claude-sonnet-4-6 executor (10,000 in / 2,000 out at $3 / $15 per 1M) = 60,000,000 nano-USD, plus one
    // claude-opus-4-6 advisor iteration (9,000 / 1,500 at $5 / $25) = 82,500,000: 142,500,000 as recorded.
    const usage = normaliseAnthropicUsage({
      input_tokens: 10_000, output_tokens: 2_000, service_tier: 'standard',
      iterations: [{ type: 'advisor_message', model: 'claude-opus-4-6', input_tokens: 9_000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1_500 }],
    });
    assert.ok(usage !== null);
    const asRecorded = createPricer().price(usage, { provider: 'anthropic', model: 'claude-sonnet-4-6', at: T0 });
    assert.ok(asRecorded.priced);
    assert.equal(asRecorded.costNano, 142_500_000);
    await s.insertCalls([call(1, 0, { provider: 'anthropic', model: 'claude-sonnet-4-6', modelRequested: 'claude-sonnet-4-6', usage, costNano: asRecorded.costNano, priceSource: asRecorded.source })]);
    // The advisor model's price changes to $10 / $50 per 1M (a `prices:` entry): its part is now
    // 9,000 × 10,000 + 1,500 × 50,000 = 165,000,000, the executor's stays 60,000,000: 225,000,000.
    const dearer = createPricer({ 'claude-opus-4-6': { provider: 'anthropic', input: 10, output: 50 } });
    const result = await s.prices.reprice({ since: SINCE, until: UNTIL, actor: 'me@host', clock: () => NOW, prices: 'config', price: repricer(dearer) });
    assert.deepEqual([result.changed, result.oldTotalNano, result.newTotalNano], [1, 142_500_000, 225_000_000]);
    // Stored as the same JSON text on every store (SQLite v19, PostgreSQL v14).
    assert.deepEqual(await s.rows('SELECT cost_nano, advisor_usage FROM calls'), [{
      cost_nano: 225_000_000,
      advisor_usage: '[{"model":"claude-opus-4-6","inputTokens":9000,"outputTokens":1500,"cacheReadTokens":0,"cacheWrite5mTokens":0,"cacheWrite1hTokens":0}]',
    }]);
    assert.deepEqual((await s.prices.spendChangesAfter(0, 10)).map((c) => c.deltaNano), [82_500_000]);
  }),
  storeCase('prices.reprice prices the images of an OpenAI Responses image_generation tool again as the proxy did (their image output tokens are stored)', async (s) => {
    // gpt-5 mainline (1,000 in / 200 out at $1.25 / $10 per 1M) = 3,250,000 nano-USD, plus two gpt-image-1.5
    // images (1024x1024 high 4,160 and 1024x1536 low 408 tokens, all image output at $32 per 1M):
    // 4,568 × 32,000 = 146,176,000: 149,426,000 as recorded. Priced as text output ($10) they would be 48,930,000.
    const adapter = createOpenAiAdapter();
    const image = (id: string, size: string, quality: string) => ({ id, type: 'image_generation_call', status: 'completed', size, quality, result: 'iVBORw0KGgo=' });
    const observed = adapter.usageFromJson(adapter.describe('POST', '/v1/responses', { model: 'gpt-5', input: 'Draw.' }), {
      object: 'response', status: 'completed', model: 'gpt-5-2025-08-07', tools: [{ type: 'image_generation', model: 'gpt-image-1.5' }],
      output: [image('ig_1', '1024x1024', 'high'), image('ig_2', '1024x1536', 'low')], usage: { input_tokens: 1_000, output_tokens: 200 },
    });
    assert.ok(observed.usage !== null && observed.model !== null);
    const asRecorded = createPricer().price(observed.usage, { provider: 'openai', model: observed.model, at: T0 });
    assert.ok(asRecorded.priced);
    assert.equal(asRecorded.costNano, 149_426_000);
    await s.insertCalls([call(1, 0, { provider: 'openai', endpoint: 'responses', model: observed.model, modelRequested: 'gpt-5', usage: observed.usage, costNano: asRecorded.costNano, priceSource: asRecorded.source })]);
    const result = await s.prices.reprice({ since: SINCE, until: UNTIL, actor: 'me@host', clock: () => NOW, prices: 'catalog', price: repricer(createPricer()) });
    assert.deepEqual([result.changed, result.oldTotalNano, result.newTotalNano], [0, 149_426_000, 149_426_000]);
    // Stored in calls.advisor_usage beside the advisor tool's entries: no new column (SQLite v19, PostgreSQL v14).
    const entry = (tokens: number) => `{"model":"gpt-image-1.5","inputTokens":0,"outputTokens":${tokens},"cacheReadTokens":0,"cacheWrite5mTokens":0,"cacheWrite1hTokens":0,"outputImageTokens":${tokens}}`;
    assert.deepEqual(await s.rows('SELECT cost_nano, advisor_usage FROM calls'), [{ cost_nano: 149_426_000, advisor_usage: `[${entry(4160)},${entry(408)}]` }]);
  }),
  storeCase('prices.reprice prices a call an Anthropic fallback model served at the serving model\'s price, as the proxy did (calls.model is the serving model)', async (s) => {
    // claude-fable-5 declined and claude-opus-4-8 served 2,000 in / 600 out ($5 / $25 per 1M):
    // 10,000,000 + 15,000,000 = 25,000,000 nano-USD, as the proxy records it.
    const adapter = createAnthropicAdapter();
    const request = { model: 'claude-fable-5', max_tokens: 1024, fallbacks: [{ model: 'claude-opus-4-8' }], messages: [] };
    const hop = (type: string, model: string, output: number) => ({ type, model, input_tokens: 2_000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: output });
    const observed = adapter.usageFromJson(adapter.describe('POST', '/v1/messages', request), {
      type: 'message', model: 'claude-fable-5', stop_reason: 'end_turn',
      usage: { input_tokens: 2_000, output_tokens: 600, iterations: [hop('message', 'claude-fable-5', 1), hop('fallback_message', 'claude-opus-4-8', 600)] },
    });
    assert.ok(observed.usage !== null && observed.model === 'claude-opus-4-8');
    const asRecorded = createPricer().price(observed.usage, { provider: 'anthropic', model: observed.model, at: T0 });
    assert.ok(asRecorded.priced);
    assert.equal(asRecorded.costNano, 25_000_000);
    await s.insertCalls([call(1, 0, { provider: 'anthropic', model: observed.model, modelRequested: 'claude-fable-5', usage: observed.usage, costNano: asRecorded.costNano, priceSource: asRecorded.source })]);
    // Prices unchanged: the reprice agrees with the proxy.
    const same = await s.prices.reprice({ since: SINCE, until: UNTIL, actor: 'me@host', clock: () => NOW, prices: 'catalog', price: repricer(createPricer()) });
    assert.deepEqual([same.changed, same.newTotalNano], [0, 25_000_000]);
    // Fable 5's price doubles (no effect) and Opus 4.8's becomes $6 / $30: 12,000,000 + 18,000,000 = 30,000,000.
    const changed = createPricer({ 'claude-fable-5': { provider: 'anthropic', input: 20, output: 100 }, 'claude-opus-4-8': { provider: 'anthropic', input: 6, output: 30 } });
    const result = await s.prices.reprice({ since: SINCE, until: UNTIL, actor: 'me@host', clock: () => NOW, prices: 'config', price: repricer(changed) });
    assert.deepEqual([result.changed, result.oldTotalNano, result.newTotalNano], [1, 25_000_000, 30_000_000]);
    assert.deepEqual(await s.rows('SELECT model, model_requested, cost_nano FROM calls'), [{ model: 'claude-opus-4-8', model_requested: 'claude-fable-5', cost_nano: 30_000_000 }]);
  }),
];
