import type { CallSpec } from './dataset.js';

/**
 * November 2026 (UTC), worked out by hand:
 *   summarizer    3 × $0.042 = $0.126   calls 3            p50 of 100,200,300 = 200
 *   chatbot       4 × $0.008 = $0.032   calls 7 (2 unpriced mystery-1, 1 usage unknown)
 *                                        p50 of 10,20,30,40,100,100,100 = 40
 *   autocomplete  2 × $0.001 = $0.002   calls 2            p50 of 5,7 = 6
 *   (none)        1 × $0.0005           calls 2 (1 unpriced mystery-2)   p50 of 50,60 = 55
 *   total         $0.1605               calls 14, priced 10, unpriced 3
 * Outside the range: one summarizer call a millisecond before November ($1) and one at
 * exactly 2026-12-01 00:00 ($1, excluded: until is exclusive); a chatbot call on
 * 2026-10-15 ($0.016) feeds the previous-period comparison.
 */
export const NOVEMBER_CALLS: CallSpec[] = [
  { at: '2026-11-02T10:00:00Z', model: 'gpt-4o', cost: 42e6, input: 10_000, output: 500, cached: 2_000, latency: 100, tags: { feature: 'summarizer', user_tier: 'free' } },
  { at: '2026-11-05T10:00:00Z', model: 'gpt-4o', cost: 42e6, input: 12_000, output: 600, cached: 0, latency: 300, tags: { feature: 'summarizer', user_tier: 'pro' } },
  { at: '2026-11-20T10:00:00Z', model: 'gpt-4o', cost: 42e6, input: 8_000, output: 400, cached: 1_000, latency: 200, tags: { feature: 'summarizer', user_tier: 'pro' } },
  { at: '2026-11-03T08:00:00Z', cost: 8e6, input: 1_000, output: 100, latency: 10, tags: { feature: 'chatbot', user_tier: 'free' } },
  { at: '2026-11-04T08:00:00Z', cost: 8e6, input: 1_000, output: 100, latency: 20, tags: { feature: 'chatbot', user_tier: 'free' } },
  { at: '2026-11-06T08:00:00Z', cost: 8e6, input: 1_000, output: 100, latency: 30, tags: { feature: 'chatbot', user_tier: 'pro' } },
  { at: '2026-11-07T08:00:00Z', cost: 8e6, input: 1_000, output: 100, latency: 40, tags: { feature: 'chatbot', user_tier: 'enterprise' } },
  { at: '2026-11-08T08:00:00Z', model: 'mystery-1', cost: null, latency: 100, tags: { feature: 'chatbot', user_tier: 'free' } },
  { at: '2026-11-09T08:00:00Z', model: 'mystery-1', cost: null, latency: 100, tags: { feature: 'chatbot', user_tier: 'free' } },
  { at: '2026-11-10T08:00:00Z', cost: null, usage: false, latency: 100, tags: { feature: 'chatbot' } },
  { at: '2026-11-11T08:00:00Z', model: 'tiny', key: 'ide', cost: 1e6, input: 50, output: 5, latency: 5, tags: { feature: 'autocomplete', user_tier: 'pro' } },
  { at: '2026-11-12T08:00:00Z', model: 'tiny', key: 'ide', cost: 1e6, input: 50, output: 5, latency: 7, tags: { feature: 'autocomplete', user_tier: 'pro' } },
  { at: '2026-11-13T08:00:00Z', cost: 5e5, input: 100, output: 10, latency: 50 },
  { at: '2026-11-14T08:00:00Z', model: 'mystery-2', cost: null, latency: 60 },
  { at: '2026-10-31T23:59:59.999Z', model: 'gpt-4o', cost: 1e9, tags: { feature: 'summarizer' } },
  { at: '2026-12-01T00:00:00Z', model: 'gpt-4o', cost: 1e9, tags: { feature: 'summarizer' } },
  { at: '2026-10-15T12:00:00Z', cost: 16e6, tags: { feature: 'chatbot', user_tier: 'free' } },
];

export const NOVEMBER = { since: Date.parse('2026-11-01T00:00:00Z'), until: Date.parse('2026-12-01T00:00:00Z') };
