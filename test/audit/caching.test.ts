import { describe, expect, it } from 'vitest';
import { caching } from '../../src/audit/detectors/caching.js';
import { MINUTE, SINCE, factOf, findings, many, type Spec } from './helpers.js';

/** `sessions` sessions of chat turns with the given input sizes, `gapMs` apart; sessions an hour apart. */
function conversations(sessions: number, inputs: number[], gapMs: number, extra: Partial<Spec> = {}): Spec[] {
  const out: Spec[] = [];
  for (let s = 0; s < sessions; s++) {
    inputs.forEach((input, k) =>
      out.push({ at: SINCE + s * 60 * MINUTE + k * gapMs, tags: { feature: 'chat', session_id: `s${s}` }, input, output: 100, ...extra }),
    );
  }
  return out;
}

describe('caching: exact repeats', () => {
  it('prices an exact cache at the stored cost of every repeat', async () => {
    // 20 distinct FAQ requests, each sent 3 times an hour apart (no retry storm): 40 repeats.
    // Each call: gpt-4o, 500 in / 200 out = 500 × $2.50/1M + 200 × $10/1M = $0.00325. 40 × $0.00325 = $0.13.
    const specs = many(60, (i) => ({ at: SINCE + i * 60 * MINUTE, tags: { feature: 'faq' }, hash: `h${i % 20}`, input: 500, output: 200 }));
    const [f, ...rest] = await findings(specs, caching);
    expect(rest).toEqual([]);
    expect(f!.scope).toEqual({ feature: 'faq' });
    expect(f!.savingNano).toBe(130_000_000);
    expect(f!.evidence.calls).toBe(40);
    expect(factOf(f!, 'distinct_requests')).toBe(20);
    expect(factOf(f!, 'repeat_share')).toBeCloseTo(40 / 60, 10);
  });

  it('stays silent for repeated image generations: the same prompt again asks for a new image, not the stored one', async () => {
    // 60 gpt-image-1 generations, 20 prompts each sent 3 times an hour apart: not an answer to cache.
    const specs = many(60, (i) => ({ at: SINCE + i * 60 * MINUTE, tags: { feature: 'thumbs' }, endpoint: 'images.generations', model: 'gpt-image-1', hash: `h${i % 20}`, input: 50, output: 4160 }));
    expect(await findings(specs, caching)).toEqual([]);
  });

  it('stays silent for distinct requests, failed repeats and retry bursts (waste claims those)', async () => {
    const distinct = many(50, (i) => ({ tags: { feature: 'faq' }, hash: `d${i}` }));
    const failed = many(10, (i) => ({ at: SINCE + (100 + i * 60) * MINUTE, tags: { feature: 'faq' }, hash: 'f', outcome: 'upstream_error', cost: 0 }));
    // Bursts of 3 identical requests 2 s apart: retry storms, not cache hits.
    const bursts = many(30, (i) => ({ at: SINCE + 2000 * MINUTE + Math.floor(i / 3) * 60 * MINUTE + (i % 3) * 2000, tags: { feature: 'faq' }, hash: `b${Math.floor(i / 3)}` }));
    expect(await findings([...distinct, ...failed, ...bursts], caching)).toEqual([]);
  });
});

describe('caching: prompt caching of conversations', () => {
  it('prices cache reads of each turn\'s previous prompt on OpenAI (writes cost the input price)', async () => {
    // 10 sessions of 4 turns (2,000, 2,500, 3,000, 3,500 input tokens) one minute apart, nothing cached.
    // Turns 2–4 could read the previous prompt from the cache: 2,000 + 2,500 + 3,000 = 7,500 tokens per session,
    // saving ($2.50 − $1.25)/1M each = 7,500 × $0.00000125 = $0.009375 per session → 10 sessions = $0.09375.
    const [f, ...rest] = await findings(conversations(10, [2000, 2500, 3000, 3500], MINUTE), caching);
    expect(rest).toEqual([]);
    expect(f!.scope).toEqual({ feature: 'chat', provider: 'openai', model: 'gpt-4o' });
    expect(f!.savingNano).toBe(93_750_000);
    expect(factOf(f!, 'cacheable_turns')).toBe(30);
    expect(factOf(f!, 'cacheable_prefix_tokens')).toBe(75_000);
    expect(f!.confidence.level).toBe('low');
  });

  it('subtracts the cache-write premium on Anthropic', async () => {
    // claude-sonnet-4-5: input $3, cache read $0.30, cache write $3.75 per 1M.
    // Per session (2 turns, 2,000 then 2,500 tokens): turn 2 reads 2,000 tokens: 2,000 × ($3 − $0.30)/1M = $0.0054;
    // turn 1 must write them: 2,000 × ($3.75 − $3)/1M = $0.0015 more. Net $0.0039 × 20 sessions = $0.078.
    const specs = conversations(20, [2000, 2500], MINUTE, { provider: 'anthropic', model: 'claude-sonnet-4-5' });
    const [f] = await findings(specs, caching);
    expect(f!.savingNano).toBe(78_000_000);
    expect(f!.fix).toContain('cache_control');
  });

  it('gives each built-in provider its own way of caching, and providers not built in the automatic one', async () => {
    const fixOf = async (provider: string, model: string) => (await findings(conversations(20, [2000, 2500], MINUTE, { provider, model }), caching))[0]?.fix;
    expect(await fixOf('gemini', 'gemini-2.5-pro')).toContain('cachedContent');
    expect(await fixOf('openai', 'gpt-4o')).toContain('automatic prompt caching');
    expect(await fixOf('deepseek', 'deepseek-chat')).toContain('automatic prompt caching');
    expect(await fixOf('my-claude', 'claude-sonnet-4-5')).toContain('automatic prompt caching');
  });

  it('stays silent for independent jobs that share a session tag (prompts do not grow like a conversation)', async () => {
    // Documents of alternating size in one user session: only 1 of 3 pairs grows (33% < 70%).
    const docs = conversations(20, [3000, 2000, 2500, 2000], MINUTE);
    expect(await findings(docs, caching)).toEqual([]);
  });

  it('stays silent when turns are too far apart, prompts are short, caching already works, or there are no sessions', async () => {
    const slow = conversations(10, [2000, 2500, 3000, 3500], 10 * MINUTE);
    const short = conversations(10, [300, 500, 700, 900], MINUTE).map((s) => ({ ...s, at: s.at! + 20 * 24 * 60 * MINUTE, tags: { feature: 'short', session_id: s.tags!.session_id! } }));
    const cached = conversations(10, [2000, 2500, 3000, 3500], MINUTE, { cached: 1500 }).map((s) => ({ ...s, tags: { feature: 'cached', session_id: `c${s.tags!.session_id}` } }));
    const noSession = many(40, (i) => ({ at: SINCE + i * MINUTE, tags: { feature: 'nosession' }, input: 2000 + i * 10 }));
    expect(await findings([...slow, ...short, ...cached, ...noSession], caching)).toEqual([]);
  });
});
