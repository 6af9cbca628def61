import { afterEach, describe, expect, it } from 'vitest';
import type { Reply } from '../support/fake-upstream.js';
import { startHarness, type Harness } from '../support/proxy-harness.js';
import { capTestKey, postAsTestKey, spendOfConcurrent } from './concurrent-spend.js';

/**
 * A key's first burst of calls that set no max_tokens, before it has any output history
 * (budget/output-history.ts): each call was held at 1,024 output tokens, a guess, so a
 * burst of calls that each answer more passed the cap together. gpt-4o-mini ($0.15 / $0.60
 * per 1M), 10 input and 3,000 output tokens a call: 10 × 150 + 3,000 × 600 pico = 1,801,500
 * nano-USD; held at ~615,000, so ~81 of 100 fit a $0.05 cap and spent ~$0.146.
 */
describe('a new key whose first calls set no max_tokens', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('holds the cap to within one call on its first burst (100 calls at once, $0.05, each $0.0018)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const json = JSON.stringify({ id: 'x', object: 'chat.completion', created: 1, model: 'gpt-4o-mini-2024-07-18', choices: [], usage: { prompt_tokens: 10, completion_tokens: 3000, total_tokens: 3010 } });
    const reply = (): Reply => ({ body: json, hold: gate });
    h = await startHarness({ upstream: { reply } });
    const LIMIT = 50_000_000; // $0.05
    await capTestKey(h, LIMIT);
    const send = () =>
      postAsTestKey(h!, '/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).then((r) => r.status);
    const { costs, answers: statuses } = await spendOfConcurrent(h, 100, send, release);
    expect(costs.every((c) => c === 1_801_500)).toBe(true);
    const total = costs.reduce((a, b) => a + b, 0);
    // SPEC §5: parallel calls cannot overshoot a cap by more than one call's real cost.
    expect(total).toBeLessThanOrEqual(LIMIT + 1_801_500);
    // And the cap is used: every call that fits after the first one taught the key's output is answered.
    expect(total).toBeGreaterThan(LIMIT - 2 * 1_801_500);
    expect(statuses.filter((s) => s === 200)).toHaveLength(costs.length);
    expect(statuses.filter((s) => s === 429)).toHaveLength(100 - costs.length);
  });
});
