import { describe, expect, it } from 'vitest';
import { alertPayload } from '../../src/budget/alerts.js';
import type { AlertEvent } from '../../src/budget/types.js';

const USD = 1e9;

/** A `per: user_id` budget's instance whose value the calling application chose (X-Metering-Tags). */
function event(tagValue: string): AlertEvent {
  const periodStart = Date.parse('2026-11-20T00:00:00Z');
  return {
    id: `tag:free-tier-daily:${tagValue}:0.8:${periodStart}:${USD / 2}`,
    name: 'free-tier-daily',
    kind: 'tag',
    tagValue,
    threshold: 0.8,
    limitNano: USD / 2,
    spentNano: 0.4 * USD,
    period: 'day',
    periodStart,
    armedFrom: periodStart,
    resetAt: Date.parse('2026-11-21T00:00:00Z'),
    soft: false,
    at: Date.parse('2026-11-20T12:00:00Z'),
  };
}

/**
 * The webhook's `text` is made for Slack-compatible receivers (an incoming webhook posts
 * it as the message). Slack reads `<…>` in it as control sequences: `<!channel>` and
 * `<!here>` notify everyone in the channel, `<url|label>` renders a link. A tag value is
 * chosen by whoever calls the proxy, so it must reach the text with `&`, `<` and `>`
 * escaped (Slack's own rule), never as markup that pages the whole on-call channel.
 */
describe('the webhook text of an alert on a tag value', () => {
  it('escapes &, < and > (Slack control sequences) in the tag value', () => {
    const body = alertPayload(event('<!channel> <https://evil.example|reset your password> & co'));
    expect(body.text).not.toContain('<!channel>');
    expect(body.text).not.toContain('<https://');
    expect(body.text).toContain('&lt;!channel&gt; &lt;https://evil.example|reset your password&gt; &amp; co');
    // The structured fields keep the value as it is.
    expect((body.budget as { tag_value: string }).tag_value).toBe('<!channel> <https://evil.example|reset your password> & co');
  });
});
