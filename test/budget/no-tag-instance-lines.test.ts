import { afterEach, describe, expect, it } from 'vitest';
import { gateRequest, tagBudget } from './helpers.js';
import { call, world } from './service-world.js';

/**
 * A `per: user_id` budget counts the calls without a user_id in one shared instance. Its
 * alert and its refusal log line must say so, as its 429 does ("for calls without a
 * user_id"): "budget 'free-daily' reached 100%" reads as the whole budget spent.
 */
describe("the log lines of a per-tag budget's shared instance for calls without the tag", () => {
  const w = world();
  afterEach(() => w.close());

  it('name that instance in the alert and in the refusal line', async () => {
    const svc = await w.service([tagBudget('free-daily', 1, { per: 'user_id', alertAt: [1] })]);
    // $1.00 of a $1 day budget by calls with no user_id: the 100 % alert, then a refusal at the gate.
    expect(call(svc, 'k', 1)).toBe(true);
    const refused = await svc.gate.reserve(gateRequest({ at: Date.parse('2026-11-20T12:00:00Z') }), new AbortController().signal);
    expect(refused.ok).toBe(false);
    await svc.idle();
    expect(w.lines.find((l) => l.startsWith('budget alert:'))).toBe(
      "budget alert: tag budget 'free-daily' (calls without a user_id) reached 100% of its limit ($1.00 of $1.00 today; resets 2026-11-21T00:00:00Z)",
    );
    expect(w.lines.find((l) => l.startsWith('budget refusal:'))).toBe(
      "budget refusal: tag budget 'free-daily' (calls without a user_id) is spent: $1.00 of $1.00 spent; resets 2026-11-21T00:00:00Z",
    );
    await svc.close();
  });
});
