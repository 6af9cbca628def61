import { describe, expect, it } from 'vitest';
import type { ProviderAdapter } from '../../src/providers/types.js';
import { afterImmediates, bodyText, chatCall, fixture, jsonAnswer } from './fakes.js';
import { jsonCall } from './json-calls.js';

/*
 * A 200 JSON answer that carries no usage is estimated: its input from the request, its
 * output from the text it generated (ProviderAdapter.answerTextLength), or, when the adapter
 * cannot say, at the request's allowance, never 0 (the budget would settle it at its prompt
 * alone). The text is read only then: an answer with usage, and one whose adapter parses only
 * a few members (Images), are never read for text. Rates: the fixture's 10 nano-USD per input
 * token, 20 per output token. The request body
 * {"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":300} is 84
 * characters: 21 input tokens.
 */

const REQUEST = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 300 };

/** The openai adapter with its answerTextLength counted. */
function counted(calls: { n: number }) {
  return (adapter: ProviderAdapter): ProviderAdapter => {
    const read = adapter.answerTextLength;
    return { ...adapter, answerTextLength: (info, json) => (calls.n++, read?.(info, json)) };
  };
}

describe('a 200 chat answer without usage', () => {
  // 'Hello there, friend.' is 20 characters: 5 output tokens. 21 × 10 + 5 × 20 = 310 nano-USD.
  it('is estimated from the text it generated, with a note saying so', async () => {
    const answer = { id: 'c', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there, friend.' }, finish_reason: 'stop' }] };
    const f = fixture(() => jsonAnswer(JSON.stringify(answer)));
    await bodyText(await f.handle(chatCall(REQUEST)));
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ outcome: 'ok', usageSource: 'estimated', usage: { inputTokens: 21, outputTokens: 5 }, costNano: 310 });
    expect(f.records[0]!.error).toBe("usage estimated from the answer's text: the answer carried no usage, so its output is counted from the 20 characters it generated (4 characters per token: 5 tokens), its input from the request");
    expect(f.gate.settled).toEqual([['r1', 310]]);
  });

  // An audio answer's output is audio tokens its transcript does not tell: the allowance, 300.
  // 21 × 10 + 300 × 20 = 6,210 nano-USD. Before: 0 output tokens, 210 nano-USD, no word why.
  it('whose text the adapter cannot read is counted at the request’s allowance, and says so', async () => {
    const answer = { id: 'c', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: null, audio: { id: 'a', data: 'UklGRg==', transcript: 'Hi.' } }, finish_reason: 'stop' }] };
    const f = fixture(() => jsonAnswer(JSON.stringify(answer)));
    await bodyText(await f.handle(chatCall(REQUEST)));
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ usageSource: 'estimated', usage: { inputTokens: 21, outputTokens: 300 }, costNano: 6210 });
    expect(f.records[0]!.error).toBe("usage estimated from the request: the answer carried no usage and tokometer cannot count the output it generated, so its output is counted at the request's allowance (300 tokens)");
  });
});

describe('an adapter that fails on the answer’s text', () => {
  // Its failure is the adapter's, not the call's: counted at the allowance, 300 output tokens.
  it('is counted at the request’s allowance, the call recorded all the same', async () => {
    const failing = (adapter: ProviderAdapter): ProviderAdapter => ({ ...adapter, answerTextLength: () => { throw new Error('unexpected shape'); } });
    const f = fixture(() => jsonAnswer(JSON.stringify({ choices: [{ message: { content: 'Hi.' } }] })), {}, failing);
    await bodyText(await f.handle(chatCall(REQUEST)));
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ outcome: 'ok', usageSource: 'estimated', usage: { inputTokens: 21, outputTokens: 300 } });
    expect(f.records[0]!.error).toMatch(/cannot count the output it generated, so its output is counted at the request's allowance \(300 tokens\)$/);
  });
});

describe('answers whose text is never read', () => {
  it('an answer with usage: recorded as reported, its text not read', async () => {
    const calls = { n: 0 };
    const answer = { id: 'c', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello.' } }], usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 } };
    const f = fixture(() => jsonAnswer(JSON.stringify(answer)), {}, counted(calls));
    await bodyText(await f.handle(chatCall(REQUEST)));
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ usageSource: 'reported', usage: { inputTokens: 7, outputTokens: 2 }, error: null });
    expect(calls.n).toBe(0);
  });

  it('an Images answer without usage (only its usage member is parsed) is not read for text', async () => {
    const calls = { n: 0 };
    const f = fixture(() => jsonAnswer(JSON.stringify({ created: 1, data: [{ b64_json: 'iVBORw0KGgo=' }] })), {}, counted(calls));
    await bodyText(await f.handle(jsonCall('/proxy/openai/v1/images/generations', { model: 'gpt-image-1', prompt: 'a lighthouse' })));
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ endpoint: 'images.generations', usageSource: 'estimated' });
    expect(calls.n).toBe(0);
  });

  it('the text of an answer without usage is read once', async () => {
    const calls = { n: 0 };
    const f = fixture(() => jsonAnswer(JSON.stringify({ choices: [{ message: { content: 'Hi.' } }] })), {}, counted(calls));
    await bodyText(await f.handle(chatCall(REQUEST)));
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ usageSource: 'estimated', usage: { outputTokens: 1 } });
    expect(calls.n).toBe(1);
  });
});
