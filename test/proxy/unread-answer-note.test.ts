import { describe, expect, it } from 'vitest';
import { afterImmediates, bodyText, chatCall, fixture, jsonAnswer } from './fakes.js';

/*
 * A metered call answered 200 with a body whose content type the proxy does not read (an HTML
 * error page from a gateway in front of the provider, text/plain) is relayed unread and
 * recorded `estimated`: its prompt, and its output at the request's allowance (a call without
 * max_tokens: the output it is expected to run to, 1,024 tokens without history). The trial
 * found such rows with no word of why: `estimated`, 1,024 output tokens, an empty `error`,
 * while a JSON body that does not parse is recorded with usage unknown. The note says what
 * was estimated and why, as every other estimate's does.
 */
describe('a 200 answer relayed unread because of its content type', () => {
  it('is recorded estimated at the allowance, with a note naming the content type and the output counted', async () => {
    const f = fixture(() => ({ ...jsonAnswer('<html>oops</html>'), headers: { 'content-type': 'text/html; charset=utf-8' } }));
    const res = await f.handle(chatCall({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 300 }));
    expect(res.status).toBe(200);
    expect(await bodyText(res)).toBe('<html>oops</html>');
    await afterImmediates();
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({ usageSource: 'estimated', usage: { outputTokens: 300 } });
    expect(f.records[0]!.error).toBe(
      'usage estimated from the request: the answer (text/html, 17 bytes) is not one tokometer reads for usage, so its output is counted at the request\'s allowance (300 tokens)',
    );
  });
});
