import fc from 'fast-check';
import { P50_RELATIVE_ERROR } from '../../src/store/rollup-policy.js';
import type { Reach } from '../../src/store/reached.js';
import type { CallRecord } from '../../src/store/types.js';
import type { AggregateSpec } from '../../src/store/read/report/index.js';
import type { WhereClause } from '../../src/report/types.js';
import { record } from './dataset.js';

/**
 * Random call logs and random report queries for the rollup-vs-raw property tests.
 * Calls fall in 2026-09-28 .. 2026-11-08 (UTC), which spans two month ends and the
 * autumn DST changes of Europe/Berlin (Oct 25) and America/New_York (Nov 1).
 */

export const T0 = Date.parse('2026-09-28T00:00:00Z');
export const SPAN = 41 * 86_400_000;
const HOUR = 3_600_000;

/** Whole-hour zones, half/quarter-hour zones, and one with a 30-minute DST shift. */
export const WHOLE_HOUR_ZONES = ['UTC', 'Europe/Berlin', 'America/New_York'];
export const ODD_ZONES = ['Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns', 'Australia/Lord_Howe'];
export const ZONES = [...WHOLE_HOUR_ZONES, ...ODD_ZONES];

/** Tag keys the queries group and filter by (rolled up), and entity keys (never rolled up). */
export const TAG_VALUES = { feature: ['summarizer', 'chatbot', 'autocomplete'], user_tier: ['free', 'pro'], tenant_id: ['t1', 't2', 't3'] };
type TagKey = keyof typeof TAG_VALUES;
const TAG_KEYS = Object.keys(TAG_VALUES) as TagKey[];

/** Spread over the whole span (fast-check favours small integers), often right at or around :00, :30 and :45. */
const time = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: SPAN / HOUR - 1 }), fc.integer({ min: 0, max: HOUR - 1 })).map(([h, ms]) => h * HOUR + ms),
  fc
    .tuple(fc.integer({ min: 0, max: SPAN / HOUR - 1 }), fc.constantFrom(0, 15, 30, 45), fc.constantFrom(-1, 0, 1, 60_000))
    .map(([h, min, ms]) => Math.max(0, h * HOUR + min * 60_000 + ms)),
);

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

/**
 * How calls end, mostly ok, as the proxy records each: a refusal and a connection never
 * made carry no usage and cost 0 (not metered), a failure after the request went out an
 * estimate or a first byte. Reports count all but the first two by default (store/reached.ts).
 */
const ENDINGS: Record<string, Partial<CallRecord>> = {
  ok: { outcome: 'ok', status: 200 },
  upstream_error: { outcome: 'upstream_error', status: 500 },
  client_aborted: { outcome: 'client_aborted', status: 0 },
  refused: { outcome: 'refused', status: 429, usage: null, usageSource: 'not_metered', costNano: 0 },
  never_connected: { outcome: 'upstream_failed', status: 502, usage: null, usageSource: 'not_metered', costNano: 0, ttfbMs: null },
  failed_after_sending: { outcome: 'upstream_failed', status: 504, usageSource: 'estimated' },
  cut_stream: { outcome: 'upstream_failed', status: 200, ttfbMs: 12 },
};
const ending = fc.constantFrom(...['ok', 'ok', 'ok', 'ok', 'ok', ...Object.keys(ENDINGS)]);

export const callArb: fc.Arbitrary<CallRecord> = fc
  .record({
    t: time,
    model: fc.constantFrom<string | null>('gpt-4o', 'gpt-4o-mini', 'claude', null),
    requested: fc.constantFrom<string | null>('gpt-4o', 'alias', null),
    key: fc.constantFrom<string | null>('app', 'ide', null),
    provider: fc.constantFrom('openai', 'anthropic'),
    endpoint: fc.constantFrom('chat.completions', 'embeddings'),
    cost: fc.option(fc.integer({ min: 0, max: 2_000_000_000 }), { nil: null, freq: 5 }),
    usage: fc.integer({ min: 0, max: 9 }).map((n) => n > 0),
    input: fc.integer({ min: 0, max: 100_000 }),
    output: fc.integer({ min: 0, max: 10_000 }),
    cached: fc.integer({ min: 0, max: 1_000 }),
    latency: fc.oneof(fc.integer({ min: 1, max: 60_000 }), fc.double({ min: 0, max: 5_000, noNaN: true })),
    feature: optional(fc.constantFrom(...TAG_VALUES.feature)),
    user_tier: optional(fc.constantFrom(...TAG_VALUES.user_tier)),
    tenant_id: optional(fc.constantFrom(...TAG_VALUES.tenant_id)),
    user_id: optional(fc.integer({ min: 1, max: 12 }).map((n) => `u${n}`)),
    session_id: optional(fc.integer({ min: 1, max: 30 }).map((n) => `s${n}`)),
    ending,
  })
  .map((c) => {
    const tags: Record<string, string> = {};
    for (const k of ['feature', 'user_tier', 'tenant_id', 'user_id', 'session_id'] as const) if (c[k] !== undefined) tags[k] = c[k];
    const r = record({ at: T0 + c.t, model: c.model, key: c.key, provider: c.provider, endpoint: c.endpoint, cost: c.cost, usage: c.usage, input: c.input, output: c.output, cached: c.cached, latency: c.latency, tags });
    return { ...r, modelRequested: c.requested, ...ENDINGS[c.ending] };
  });

/** A report range: random instants, whole UTC hours, or local midnights (`day` offsets from T0 in the zone). */
export interface QueryShape {
  zone: string;
  since: number;
  until: number;
  by: string[];
  where: WhereClause[];
  top?: number;
  reach?: Reach;
}

const builtinWhere: fc.Arbitrary<WhereClause> = fc.oneof(
  fc.record({ key: fc.constant('model'), op: fc.constantFrom<'=' | '!='>('=', '!='), value: fc.constantFrom('gpt-4o', '(none)', 'alias') }),
  fc.record({ key: fc.constant('key'), op: fc.constantFrom<'=' | '!='>('=', '!='), value: fc.constantFrom('app', '(none)') }),
  fc.record({ key: fc.constant('provider'), op: fc.constantFrom<'=' | '!='>('=', '!='), value: fc.constant('openai') }),
  fc.record({ key: fc.constantFrom('user_id', 'session_id'), op: fc.constantFrom<'=' | '!='>('=', '!='), value: fc.constant('(none)') }),
  fc.record({ key: fc.constant('outcome'), op: fc.constantFrom<'=' | '!='>('=', '!='), value: fc.constantFrom('ok', 'refused', 'upstream_failed') }),
  fc.record({ key: fc.constant('status'), op: fc.constantFrom<'=' | '!='>('=', '!='), value: fc.constantFrom('200', '502') }),
);

const tagWhere = (key: TagKey): fc.Arbitrary<WhereClause> =>
  fc.record({ key: fc.constant(key), op: fc.constantFrom<'=' | '!='>('=', '!='), value: fc.constantFrom(...TAG_VALUES[key], '(none)') });

/**
 * Queries rollups can answer: at most one tag key across `by` and `where`.
 * `aligned` keeps since/until on whole UTC hours (needed to compare after pruning).
 */
export function queryArb(options: { zones?: string[]; aligned?: boolean } = {}): fc.Arbitrary<QueryShape> {
  const hour = fc.integer({ min: -48, max: SPAN / HOUR + 48 });
  const instant = options.aligned
    ? hour.map((h) => T0 + h * HOUR)
    : fc.oneof(
        hour.map((h) => T0 + h * HOUR),
        fc.tuple(hour, fc.constantFrom(15, 30, 45)).map(([h, min]) => T0 + h * HOUR + min * 60_000),
        fc.tuple(hour, fc.integer({ min: 1, max: HOUR - 1 })).map(([h, ms]) => T0 + h * HOUR + ms),
      );
  return fc
    .record({
      zone: fc.constantFrom(...(options.zones ?? ZONES)),
      a: instant,
      b: instant,
      tag: optional(fc.constantFrom(...TAG_KEYS)),
      dims: fc.subarray(['model', 'provider', 'key', 'endpoint', 'outcome', 'status', 'day', 'week', 'month', 'TAG'], { maxLength: 2 }),
      builtins: fc.array(builtinWhere, { maxLength: 2 }),
      tagFilters: fc.array(fc.nat(), { maxLength: 2 }),
      top: optional(fc.integer({ min: 1, max: 3 })),
      reach: fc.constantFrom<Reach | undefined>('reached', 'reached', 'unreached', undefined),
    })
    .chain((q) =>
      fc.tuple(fc.constant(q), q.tag ? fc.tuple(...q.tagFilters.map(() => tagWhere(q.tag!))) : fc.constant([] as WhereClause[])),
    )
    .map(([q, tagClauses]) => {
      const by = q.dims.flatMap((d) => (d === 'TAG' ? (q.tag ? [q.tag] : []) : [d]));
      const [since, until] = q.a === q.b ? [q.a, q.a + HOUR] : [Math.min(q.a, q.b), Math.max(q.a, q.b)];
      return { zone: q.zone, since, until, by, where: [...q.builtins, ...tagClauses], ...(q.top !== undefined ? { top: q.top } : {}), ...(q.reach ? { reach: q.reach } : {}) };
    });
}

export const specOf = (q: QueryShape): AggregateSpec => ({ since: q.since, until: q.until, by: q.by, where: q.where, timeZone: q.zone, ...(q.reach ? { reach: q.reach } : {}) });

/** |estimate − exact| within the documented p50 bound (relative above 1 ms, 0.5 ms below). */
export function withinP50Bound(estimate: number, exact: number): boolean {
  return Math.abs(estimate - exact) <= 0.5 + P50_RELATIVE_ERROR * Math.abs(exact) + 1e-9;
}
