import { describe, expect, it } from 'vitest';
import { alertPayload } from '../../src/budget/alerts.js';
import { dayTagAlert } from './helpers.js';

/**
 * The webhook's `text` is made for Slack-compatible receivers (an incoming webhook posts
 * it as the message). Slack reads `<…>` in it as control sequences: `<!channel>` and
 * `<!here>` notify everyone in the channel, `<url|label>` renders a link. A tag value is
 * chosen by whoever calls the proxy, so it must reach the text with `&`, `<` and `>`
 * escaped (Slack's own rule), never as markup that pages the whole on-call channel.
 */
describe('the webhook text of an alert on a tag value', () => {
  it('escapes &, < and > (Slack control sequences) in the tag value', () => {
    const body = alertPayload(dayTagAlert({ tagValue: '<!channel> <https://evil.example|reset your password> & co' }));
    expect(body.text).not.toContain('<!channel>');
    expect(body.text).not.toContain('<https://');
    expect(body.text).toContain('&lt;!channel&gt; &lt;https://evil.example|reset your password&gt; &amp; co');
    // The structured fields keep the value as it is.
    expect((body.budget as { tag_value: string }).tag_value).toBe('<!channel> <https://evil.example|reset your password> & co');
  });
});
