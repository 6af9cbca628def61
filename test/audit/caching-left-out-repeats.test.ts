import { describe, expect, it } from 'vitest';
import { caching } from '../../src/audit/detectors/caching.js';
import { MINUTE, SINCE, factOf, findings, many, type Spec } from './helpers.js';

/**
 * The prompt-caching finding leaves out exact repeats (the exact-cache finding claims them), and
 * says so: on the demo database it read "conversation history re-sent at full price (0% cached)"
 * for chatbot while `report` showed 421,248 cached tokens, all of them on the 76 identical
 * repeats it had left out. Its title and evidence now name the repeats left out and their
 * cached tokens, so the 0% reads as the share of the calls it looked at.
 */
describe('caching: the prompt-caching finding names the exact repeats it leaves out', () => {
  it('counts the repeats and their cached tokens in its evidence and title', async () => {
    const turns: Spec[] = [];
    for (let s = 0; s < 10; s++) {
      [2000, 2500, 3000, 3500].forEach((input, k) => turns.push({ at: SINCE + s * 60 * MINUTE + k * MINUTE, tags: { feature: 'chat', session_id: `s${s}` }, input, output: 100 }));
    }
    // One request sent 6 times an hour apart (no retry storm): the 5 repeats are answered from the provider's cache.
    const repeated = many(6, (i) => ({ at: SINCE + (2000 + i * 60) * MINUTE, tags: { feature: 'chat' }, hash: 'same', input: 3000, cached: i === 0 ? 0 : 2900, output: 100 }));
    const all = await findings([...turns, ...repeated], caching);
    const f = all.find((x) => x.title.includes('conversation history'));
    expect(f!.title).toBe('chat: conversation history re-sent at full price (0% cached; 5 identical repeats left out)');
    expect(factOf(f!, 'cached_input_share')).toBe(0);
    expect(factOf(f!, 'left_out_repeats')).toBe(5);
    expect(factOf(f!, 'left_out_repeat_cached_tokens')).toBe(5 * 2900);
  });

  it('says nothing of repeats where it left none out', async () => {
    const turns: Spec[] = [];
    for (let s = 0; s < 10; s++) {
      [2000, 2500, 3000, 3500].forEach((input, k) => turns.push({ at: SINCE + s * 60 * MINUTE + k * MINUTE, tags: { feature: 'chat', session_id: `s${s}` }, input, output: 100 }));
    }
    const [f] = await findings(turns, caching);
    expect(f!.title).toBe('chat: conversation history re-sent at full price (0% cached)');
    expect(f!.evidence.facts.map((x) => x.key)).not.toContain('left_out_repeats');
  });
});
