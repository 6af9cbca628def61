import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ProviderAdapter } from '../../src/providers/types.js';
import { afterImmediates, bodyText, chatCall, fixture, jsonAnswer } from './fakes.js';

/**
 * A call of unknown usage (usage_source `unknown`, cost null) counts $0 against every budget,
 * so an operator who sees one in report's footer or serve's warning needs to know why its
 * answer went unread. Its record's `error` says so: before, it was empty, and nothing told an
 * answer that is not JSON from JSON the adapter could not read.
 */

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');
const ASK = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Capital of France?' }] };

async function recordOf(f: ReturnType<typeof fixture>) {
  const res = await f.handle(chatCall(ASK));
  await bodyText(res);
  await afterImmediates();
  expect(f.records).toHaveLength(1);
  return f.records[0]!;
}

describe('a call of unknown usage says why in its error', () => {
  it('an answer sent as JSON that does not parse: its size, and that it is not JSON', async () => {
    const f = fixture(() => jsonAnswer('<html><body>502 Bad Gateway</body></html>'));
    const r = await recordOf(f);
    expect(r).toMatchObject({ outcome: 'ok', status: 200, usageSource: 'unknown', usage: null, costNano: null });
    expect(r.error).toBe('usage unknown: the answer (41 bytes) did not parse as JSON');
  });

  it('an answer without a body (a 204): that it had none, not that it did not parse', async () => {
    const r = await recordOf(fixture(() => jsonAnswer('', 204)));
    expect(r).toMatchObject({ outcome: 'ok', status: 204, usageSource: 'unknown', error: 'usage unknown: the answer had no body' });
  });

  it("JSON of a shape the provider's adapter cannot read", async () => {
    const throwing = (adapter: ProviderAdapter): ProviderAdapter => ({
      ...adapter,
      usageFromJson: () => {
        throw new TypeError("Cannot read properties of undefined (reading 'prompt_tokens')");
      },
    });
    const r = await recordOf(fixture(() => jsonAnswer(CHAT), {}, throwing));
    expect(r).toMatchObject({ usageSource: 'unknown', usage: null, costNano: null });
    expect(r.error).toBe("usage unknown: the answer's JSON is not in a shape the openai adapter reads (Cannot read properties of undefined (reading 'prompt_tokens'))");
  });

  it('a call whose usage is known keeps an empty error', async () => {
    const r = await recordOf(fixture(() => jsonAnswer(CHAT)));
    expect(r).toMatchObject({ usageSource: 'reported', error: null });
  });
});
