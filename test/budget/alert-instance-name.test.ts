import { describe, expect, it } from 'vitest';
import { alertLine, alertPayload } from '../../src/budget/alerts.js';
import type { AlertEvent } from '../../src/budget/types.js';
import { dayTagAlert, USD } from './helpers.js';

/**
 * One instance of a `per: user_id` budget was spelled three ways: `(u_42)` in the alert log
 * line and the webhook's text, `(user_id=u_42)` in the refusal log line and the TUI, and
 * `per`/`tag_value` in the 429 body. The webhook's `budget` object had `tag_value` but no
 * `per`, so a receiver could not tell which tag the value is of. The alert now spells the
 * instance as the refusal line does, and the webhook's budget carries `per` as the 429 does.
 */

/** One instance of a $1 `per: user_id` day budget at 80%. */
function perUserEvent(tagValue: string | null): AlertEvent {
  return dayTagAlert({ name: 'free-daily', per: 'user_id', tagValue, limitNano: 1 * USD, spentNano: 0.8 * USD });
}

describe("a per-tag budget's alert names its instance as the refusal line and the 429 do", () => {
  it('the log line and the webhook text: (user_id=u_42)', () => {
    expect(alertLine(perUserEvent('u_42'))).toBe(
      "budget alert: tag budget 'free-daily' (user_id=u_42) reached 80% of its limit ($0.80 of $1.00 today; resets 2026-11-21T00:00:00Z)",
    );
    expect(alertPayload(perUserEvent('u_42'))['text']).toBe(
      "budget alert: tag budget 'free-daily' (user_id=u_42) reached 80% of its limit ($0.80 of $1.00 today; resets 2026-11-21T00:00:00Z)",
    );
  });

  it("the webhook's budget object carries per beside tag_value, also for the calls without the tag", () => {
    expect(alertPayload(perUserEvent('u_42'))['budget']).toEqual({ name: 'free-daily', kind: 'tag', per: 'user_id', tag_value: 'u_42', limit_usd: 1, spent_usd: 0.8, period: 'day', soft: false });
    expect(alertPayload(perUserEvent(null))['budget']).toEqual({ name: 'free-daily', kind: 'tag', per: 'user_id', tag_value: null, limit_usd: 1, spent_usd: 0.8, period: 'day', soft: false });
  });

  it('a key budget has neither', () => {
    const key = { ...perUserEvent(null), kind: 'key' as const, name: 'app', per: null };
    expect(alertPayload(key)['budget']).toEqual({ name: 'app', kind: 'key', tag_value: null, limit_usd: 1, spent_usd: 0.8, period: 'day', soft: false });
    expect(alertLine(key)).toContain("key budget 'app' reached");
  });
});
