import { afterEach, describe, expect, it } from 'vitest';
import type { Reply } from '../support/fake-upstream.js';
import { UPSTREAM_KEY, startHarness, waitFor, type Harness } from '../support/proxy-harness.js';
import { capTestKey, postAsTestKey } from './concurrent-spend.js';

/**
 * The new-user trial: `keys create img --budget 0.02`, then 30 gpt-4o chat calls at once, each
 * with one `image_url` part (detail high, an https URL) and max_tokens 50, each billed 1,105
 * input + 50 output tokens (a high-detail image): 1,105 × 2,500 + 50 × 10,000 = 3,262,500
 * nano-USD a call. The image was held as the length of its URL (about 750,000 nano-USD a call),
 * so 26 or 27 calls were admitted together and spent $0.088 against the $0.02 cap. Held at its
 * bound (1,445 tokens on gpt-4o: budget/referenced-input-reservation.test.ts), a call holds
 * about 4.4M nano-USD: 4 fit at once and spend $0.01305, within one call's cost of the cap
 * (SPEC §5). `budget_admission_wait_ms: 0` refuses at once what does not fit beside the calls in
 * flight, so the provider answers once every call is either there or refused: no timing.
 */
describe('30 gpt-4o calls at once, each with one image by URL, against a $0.02 cap', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('spend settles within one call of the cap ($0.02 + $0.0032625); the calls that do not fit are refused 429', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const json = JSON.stringify({ id: 'x', object: 'chat.completion', created: 1, model: 'gpt-4o-2024-08-06', choices: [], usage: { prompt_tokens: 1105, completion_tokens: 50, total_tokens: 1155 } });
    const reply = (): Reply => ({ body: json, hold: gate });
    h = await startHarness({ upstream: { reply }, configYaml: (url) => `providers:\n  openai: { base_url: "${url}", api_key: "${UPSTREAM_KEY}" }\nstore: { flush_interval_ms: 5 }\nbudget_admission_wait_ms: 0\n` });
    const LIMIT = 20_000_000; // $0.02
    const CALL = 3_262_500;
    await capTestKey(h, LIMIT);
    const body = {
      model: 'gpt-4o',
      max_tokens: 50,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is in this image?' }, { type: 'image_url', image_url: { url: 'https://example.com/photos/cat.png', detail: 'high' } }] }],
    };
    let refused = 0;
    const all = Promise.all(
      Array.from({ length: 30 }, () =>
        postAsTestKey(h!, '/chat/completions', body).then((r) => {
          if (r.status !== 200) refused++;
          return r.status;
        }),
      ),
    );
    await waitFor(() => h!.fake.requests.length + refused === 30, 10_000, 'every call forwarded or refused');
    release();
    const statuses = await all;
    await waitFor(() => h!.records.length >= 30, 10_000, 'records');
    const costs = h.records.filter((r) => r.outcome === 'ok').map((r) => r.costNano ?? 0);
    expect(costs.every((c) => c === CALL)).toBe(true);
    const total = costs.reduce((a, b) => a + b, 0);
    // SPEC §5: parallel calls cannot overshoot a cap by more than one call's real cost.
    expect(total).toBeLessThanOrEqual(LIMIT + CALL);
    expect(statuses.filter((s) => s === 200)).toHaveLength(costs.length);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30 - costs.length);
    // Not refused outright: as many as fit beside each other are admitted (4 holds of ~4.4M in $0.02).
    expect(costs.length).toBeGreaterThanOrEqual(4);
  });
});
