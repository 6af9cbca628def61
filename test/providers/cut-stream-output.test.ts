import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAnthropicAdapter } from '../../src/providers/anthropic.js';
import { estimateTokens } from '../../src/providers/estimate.js';
import { createGeminiAdapter } from '../../src/providers/gemini.js';
import { utf8Length } from '../../src/lib/utf8-length.js';
import { expectBypassChangesNothing, replayStream, usage } from './support.js';

/**
 * A stream cut before the provider's final usage (the client closed the tab, the upstream
 * broke) bills the output generated so far. Its output is estimated as the larger of the
 * content frames it carried (one token or more each) and the text those frames carried at
 * CHARS_PER_TOKEN (4) characters per token: a Claude text_delta holds several tokens and a
 * Gemini chunk often 20 or more, so one token per frame under-meters them.
 */

const anthropic = createAnthropicAdapter();
const messages = anthropic.describe('POST', '/v1/messages', { model: 'claude-haiku-4-5', stream: true, max_tokens: 1024 });
const NO_STRIP = { stripInjectedUsage: false };

const START =
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}\n\n' +
  'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n';

/** One content_block_delta frame as Anthropic writes it (LF framing, compact JSON, keys in this order). */
function delta(kind: 'text_delta' | 'thinking_delta' | 'input_json_delta', payload: string, index = 0): string {
  const key = kind === 'text_delta' ? 'text' : kind === 'thinking_delta' ? 'thinking' : 'partial_json';
  return `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index, delta: { type: kind, [key]: payload } })}\n\n`;
}

/** 40 ASCII characters of answer text, no character JSON escapes. */
const FORTY = 'The quick brown fox jumps over the lazy.';

const replayAnthropic = (stream: string, chunk = 7, bypass = true) => replayStream(anthropic, messages, NO_STRIP, stream, chunk, bypass);

describe('an Anthropic stream cut before its message_delta', () => {
  it('counts the text its deltas carried: 3 text_deltas of 40 characters are 30 output tokens, not 3', () => {
    expect(FORTY).toHaveLength(40);
    const cut = START + delta('text_delta', FORTY).repeat(3);
    // 3 × 40 = 120 characters; ceil(120 / 4) = 30 tokens > 3 frames. Input: message_start's 25.
    for (const chunk of [1, 7, 1 << 20]) {
      for (const bypass of [true, false]) {
        const { observed } = replayAnthropic(cut, chunk, bypass);
        expect(observed.usage, `${chunk}-byte chunks, bypass ${bypass}`).toEqual(usage({ inputTokens: 25, outputTokens: 30 }));
        expect(observed.estimated).toBe(true);
      }
    }
    expectBypassChangesNothing(anthropic, messages, NO_STRIP, cut);
  });

  it('measures thinking and tool-input deltas by their own envelopes', () => {
    // 40 characters each of thinking, tool input JSON (escaped as JSON text: 40 characters
    // with no quote or backslash) and text: 120 characters, 30 tokens. Taking the shorter text
    // envelope for every kind would count 8 (thinking) + 14 (input_json) extra bytes: 142 → 36.
    const partialJson = '{"city": "Paris", "units": "celsius"}xxx';
    const cut = START + delta('thinking_delta', FORTY) + delta('input_json_delta', FORTY, 1) + delta('text_delta', FORTY, 2);
    expect(replayAnthropic(cut).observed.usage?.outputTokens).toBe(30);
    expect(replayAnthropic(cut, 7, false).observed.usage?.outputTokens).toBe(30);
    // Tool input is a JSON string inside the JSON: its quotes are escaped (\"), 8 more bytes
    // than its 40 characters here: 48 bytes → ceil(48 / 4) = 12 tokens (an estimate high, not low).
    expect(partialJson).toHaveLength(40);
    expect(replayAnthropic(START + delta('input_json_delta', partialJson)).observed.usage?.outputTokens).toBe(12);
  });

  it('still counts one token per delta when the deltas carry less than 4 characters each', () => {
    // 5 deltas of 1 character: ceil(5 / 4) = 2 tokens of text, but each delta is a token or more: 5.
    const cut = START + delta('text_delta', 'a').repeat(5);
    expect(replayAnthropic(cut).observed.usage?.outputTokens).toBe(5);
  });

  it('a finished stream keeps the output its message_delta reported, even below the text estimate', () => {
    // 120 characters of text (30 by the estimate), reported 20: the provider's count wins.
    const done = START + delta('text_delta', FORTY).repeat(3) + 'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":20}}\n\n';
    const { observed } = replayAnthropic(done);
    expect(observed.usage).toEqual(usage({ inputTokens: 25, outputTokens: 20 }));
    expect(observed.estimated).toBeUndefined();
  });

  it('property: the estimate never counts less than the text at 4 characters per token, nor than the deltas, and is the same passed by bytes or decoded', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 60 }), { minLength: 1, maxLength: 8 }), (texts) => {
        const cut = START + texts.map((t) => delta('text_delta', t)).join('');
        const bypassed = replayAnthropic(cut, 7, true).observed.usage?.outputTokens ?? 0;
        const decoded = replayAnthropic(cut, 7, false).observed.usage?.outputTokens ?? 0;
        expect(bypassed).toBe(decoded);
        expect(bypassed).toBeGreaterThanOrEqual(estimateTokens(texts.join('')));
        expect(bypassed).toBeGreaterThanOrEqual(texts.length);
        // Exactly: the UTF-8 bytes of the texts as JSON writes them (escapes included), at 4 per token.
        const escapedBytes = texts.reduce((n, t) => n + utf8Length(JSON.stringify(t)) - 2, 0);
        expect(bypassed).toBe(Math.max(texts.length, Math.ceil(escapedBytes / 4)));
      }),
    );
  });
});

const gemini = createGeminiAdapter();
const generate = gemini.describe('POST', '/v1beta/models/gemini-2.5-flash:streamGenerateContent', { contents: [] });
const replayGemini = (stream: string, chunk = 7) => replayStream(gemini, generate, NO_STRIP, stream, chunk);

/** One alt=sse chunk of `text`; `withUsage` adds the prompt-only usageMetadata early chunks carry. */
function chunk(text: string, withUsage: boolean): string {
  const usageMetadata = withUsage ? { usageMetadata: { promptTokenCount: 10, totalTokenCount: 10 } } : {};
  return `data: ${JSON.stringify({ candidates: [{ content: { parts: [{ text }], role: 'model' }, index: 0 }], ...usageMetadata, modelVersion: 'gemini-2.5-flash', responseId: 'r1' })}\r\n\r\n`;
}

const TWO_HUNDRED = FORTY.repeat(5);

describe('a Gemini stream cut before its chunk with finishReason', () => {
  it('counts the text its chunks carried: 2 chunks of 200 characters are 100 output tokens, not 2', () => {
    // The first chunk is parsed (it carries usageMetadata), the second skipped unparsed (the
    // model is known, no usage, no finishReason): both measured. 400 characters / 4 = 100 > 2 chunks.
    const cut = chunk(TWO_HUNDRED, true) + chunk(TWO_HUNDRED, false);
    for (const size of [1, 7, 1 << 20]) {
      const { observed } = replayGemini(cut, size);
      expect(observed.usage, `${size}-byte chunks`).toEqual(usage({ inputTokens: 10, outputTokens: 100 }));
      expect(observed.estimated).toBe(true);
    }
  });

  it('counts every text part (thoughts too), pretty-printed JSON as compact, escapes as written', () => {
    // A thought part of 40 and an answer part of 40 (thoughts are billed as output): 80 / 4 = 20.
    const parts = `data: {"candidates": [{"content": {"parts": [{"text": "${FORTY}", "thought": true}, {"text" : "${FORTY}"}], "role": "model"}}], "usageMetadata": {"promptTokenCount": 10}, "modelVersion": "gemini-2.5-flash"}\n\n`;
    expect(replayGemini(parts).observed.usage?.outputTokens).toBe(20);
    // 39 characters ('He said "' + 24 x + '" then') with 2 quotes written \" (2 bytes each): 41
    // counted, ceil(41 / 4) = 11 tokens where the decoded text's 39 make 10 (high, never low).
    const quoted = `data: {"candidates":[{"content":{"parts":[{"text":"He said \\"${'x'.repeat(24)}\\" then"}]}}],"usageMetadata":{"promptTokenCount":10}}\n\n`;
    expect(replayGemini(quoted).observed.usage?.outputTokens).toBe(11);
  });

  it('still counts one token per chunk when the chunks carry less than 4 characters each', () => {
    const cut = chunk('a', true) + chunk('b', false) + chunk('c', false);
    expect(replayGemini(cut).observed.usage?.outputTokens).toBe(3);
  });

  it('a finished stream keeps the output its last chunk reported', () => {
    const last = `data: {"candidates":[{"content":{"parts":[{"text":"."}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":40,"totalTokenCount":50},"modelVersion":"gemini-2.5-flash"}\r\n\r\n`;
    const { observed } = replayGemini(chunk(TWO_HUNDRED, true) + chunk(TWO_HUNDRED, false) + last);
    expect(observed.usage).toEqual(usage({ inputTokens: 10, outputTokens: 40 }));
    expect(observed.estimated).toBeUndefined();
  });
});
