import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../src/store/types.js';
import { bodyText, chatCall, fixture, sseAnswer } from './fakes.js';

/**
 * DeepSeek style (PROVIDERS.md §7): with include_usage on, `usage` arrives on the final
 * chunk that also carries choices, not on a usage-only chunk. tokometer asked for that
 * usage itself; a client that did not ask must not see it (README: "the client sees
 * exactly the stream it asked for"), yet the call is recorded with it.
 */
const ROLE = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] };
const TEXT = { ...ROLE, choices: [{ index: 0, delta: { content: 'Paris.' }, finish_reason: null }] };
const LAST_WITHOUT_USAGE = { ...ROLE, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] };
const USAGE = { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 };
const LAST = { ...LAST_WITHOUT_USAGE, usage: USAGE };
const frame = (json: object) => `data: ${JSON.stringify(json)}\n\n`;
const FRAMES = [frame(ROLE), frame(TEXT), frame(LAST), 'data: [DONE]\n\n'];
const ASK = { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Capital of France?' }] };

describe('a final chunk with choices and the usage tokometer injected', () => {
  it('reaches a client that did not ask for usage without its usage member, the other frames byte for byte', async () => {
    const f = fixture((req) => sseAnswer(req, FRAMES));
    const res = await f.handle(chatCall(ASK));
    expect(res.status).toBe(200);
    expect(await bodyText(res)).toBe([frame(ROLE), frame(TEXT), frame(LAST_WITHOUT_USAGE), 'data: [DONE]\n\n'].join(''));
    expect(f.records).toHaveLength(1);
    expect(f.records[0] as CallRecord).toMatchObject({ outcome: 'ok', usageSource: 'reported', usage: { inputTokens: 12, outputTokens: 3 } });
  });

  it('reaches a client that asked for usage unchanged', async () => {
    const f = fixture((req) => sseAnswer(req, FRAMES));
    const res = await f.handle(chatCall({ ...ASK, stream_options: { include_usage: true } }));
    expect(await bodyText(res)).toBe(FRAMES.join(''));
    expect(f.records[0] as CallRecord).toMatchObject({ usage: { inputTokens: 12, outputTokens: 3 } });
  });
});
