import { describe, expect, it } from 'vitest';
import { createAnthropicAdapter } from '../../src/providers/anthropic.js';
import { createGeminiAdapter } from '../../src/providers/gemini.js';
import type { ProviderAdapter, RequestInfo } from '../../src/providers/types.js';
import { newObservation } from '../../src/proxy/observation.js';
import { recordedUsage, type EstimateSource } from '../../src/proxy/recorded-usage.js';
import type { CallOutcome } from '../../src/store/types.js';
import { replayStream } from '../providers/support.js';

/*
 * A stream that carried no usage at all (no usageMetadata in any Gemini chunk, an Anthropic
 * message_start without usage) is estimated by the recorder: its input from the request, its
 * output before at one token per frame relayed. A Gemini chunk often holds 20 tokens or more
 * and a Claude text_delta several: the output is the larger of the frames and the text the
 * stream's content carried, at 4 characters per token. The request's body: 10 tokens.
 */

const FROM: EstimateSource = { wholeAllowance: false, bodyTokens: () => 10, expectedOutputTokens: () => undefined, contextTokens: () => undefined, contextWindowTokens: () => undefined };

/** The usage recorded for `stream` relayed whole (every frame observed), ended with `outcome`. */
function recorded(adapter: ProviderAdapter, info: RequestInfo, stream: string, outcome: CallOutcome) {
  const replayed = replayStream(adapter, info, { stripInjectedUsage: false }, stream, 7, false);
  const seen = newObservation();
  seen.frames = replayed.frames.length;
  seen.observed = replayed.observed;
  return { frames: seen.frames, ...recordedUsage(info, outcome, seen, true, FROM) };
}

const FORTY = 'The quick brown fox jumps over the lazy.';

describe('a Gemini stream without usageMetadata', () => {
  const gemini = createGeminiAdapter();
  const info = gemini.describe('POST', '/v1beta/models/gemini-2.5-flash:streamGenerateContent', { contents: [] });
  const chunk = (text: string, finish = false) =>
    `data: ${JSON.stringify({ candidates: [{ content: { parts: [{ text }], role: 'model' }, index: 0, ...(finish ? { finishReason: 'STOP' } : {}) }], modelVersion: 'gemini-2.5-flash' })}\r\n\r\n`;

  it('cut after 2 chunks of 200 characters: 100 output tokens, not 2', () => {
    // 2 × 200 = 400 characters; ceil(400 / 4) = 100 > 2 frames.
    const got = recorded(gemini, info, chunk(FORTY.repeat(5)).repeat(2), 'client_aborted');
    expect(got.frames).toBe(2);
    expect(got).toMatchObject({ source: 'estimated', usage: { inputTokens: 10, outputTokens: 100 } });
  });

  it('finished without usage: its text, and at least one token a frame', () => {
    // "Hello" + " there." = 12 characters: 3 tokens > 2 frames.
    expect(recorded(gemini, info, chunk('Hello') + chunk(' there.', true), 'ok').usage?.outputTokens).toBe(3);
    // 3 chunks of 1 character: ceil(3 / 4) = 1, the 3 frames win.
    expect(recorded(gemini, info, chunk('a') + chunk('b') + chunk('c', true), 'ok').usage?.outputTokens).toBe(3);
  });
});

describe('an Anthropic stream whose message_start carries no usage', () => {
  const anthropic = createAnthropicAdapter();
  const info = anthropic.describe('POST', '/v1/messages', { model: 'claude-haiku-4-5', stream: true, max_tokens: 1024 });
  const start =
    'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001","content":[],"stop_reason":null,"stop_sequence":null}}\n\n' +
    'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n';
  const delta = `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: FORTY } })}\n\n`;

  it('cut after 3 text_deltas of 40 characters: 30 output tokens, not the 5 frames relayed', () => {
    // 3 × 40 = 120 characters; ceil(120 / 4) = 30 > 5 frames (message_start, content_block_start, 3 deltas).
    const got = recorded(anthropic, info, start + delta.repeat(3), 'client_aborted');
    expect(got.frames).toBe(5);
    expect(got).toMatchObject({ source: 'estimated', usage: { inputTokens: 10, outputTokens: 30 } });
  });
});
