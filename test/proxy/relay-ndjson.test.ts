import { describe, expect, it } from 'vitest';
import { createCohereAdapter } from '../../src/providers/cohere.js';
import type { BodyObservation } from '../../src/proxy/observation.js';
import { relayMode } from '../../src/proxy/relay.js';
import { sourceOf } from '../../src/proxy/stream-body.js';
import { relayChat } from './fakes.js';

/**
 * Cohere v1 chat streams are newline-delimited JSON (cohere-ai Client.js:162 messageTerminator
 * "\n"): the relay reads them as lines, passing every byte on unchanged, only for requests the
 * adapter marks (RequestInfo.ndjsonStream); every other stream keeps its mode.
 */

const enc = new TextEncoder();
const dec = new TextDecoder();
const cohere = createCohereAdapter();
const info = cohere.describe('POST', '/v1/chat', { model: 'command-r', message: 'hi', stream: true });

const END = { is_finished: true, event_type: 'stream-end', finish_reason: 'COMPLETE', response: { text: 'Paris.', meta: { billed_units: { input_tokens: 2000, output_tokens: 100 } } } };
const STREAM = [{ is_finished: false, event_type: 'stream-start' }, { is_finished: false, event_type: 'text-generation', text: 'Paris.' }, END].map((e) => `${JSON.stringify(e)}\n`).join('');

describe('relayMode', () => {
  it('reads a marked request answer as lines whatever its content type says, unless it is SSE', () => {
    expect(info.ndjsonStream).toBe(true);
    expect(relayMode('application/stream+json', true, true)).toBe('ndjson');
    expect(relayMode('application/json', true, true)).toBe('ndjson');
    expect(relayMode(undefined, true, true)).toBe('ndjson');
    expect(relayMode('text/event-stream; charset=utf-8', true, true)).toBe('sse');
    expect(relayMode('application/json', false, true)).toBe('raw');
  });

  it('leaves every unmarked answer as it was', () => {
    expect(relayMode('text/event-stream', true)).toBe('sse');
    expect(relayMode('application/json', true)).toBe('json');
    expect(relayMode('application/stream+json', true)).toBe('json');
    expect(relayMode(undefined, true)).toBe('raw');
    expect(cohere.describe('POST', '/v2/chat', { model: 'command-a-03-2025', stream: true }).ndjsonStream).toBeUndefined();
    expect(cohere.describe('POST', '/v1/chat', { model: 'command-r', message: 'hi' }).ndjsonStream).toBeUndefined();
  });
});

interface Run {
  client: string;
  completed: boolean | null;
  seen: BodyObservation | null;
}

/** Relays `reads` as a Cohere v1 line stream; then the body ends, or the upstream fails. */
async function relayLines(reads: string[], after: 'ends' | 'upstream fails'): Promise<Run> {
  const run: Run = { client: '', completed: null, seen: null };
  const source = sourceOf(
    (async function* () {
      for (const r of reads) yield enc.encode(r);
      if (after === 'upstream fails') throw Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    })(),
  );
  const body = relayChat(source, {
    provider: 'cohere',
    info,
    adapter: cohere,
    mode: 'ndjson',
    onFinished: (completed, _error, seen) => {
      run.completed = completed;
      run.seen = seen;
    },
  });
  await body.pump((chunk) => void (run.client += dec.decode(chunk))).catch(() => {});
  return run;
}

describe('relayBody: a newline-delimited JSON stream', () => {
  it('passes every byte on and reads the stream-end usage, across lines split between reads', async () => {
    const reads = [STREAM.slice(0, 10), STREAM.slice(10, 45), STREAM.slice(45, 130), STREAM.slice(130)];
    const run = await relayLines(reads, 'ends');
    expect(run.client).toBe(STREAM);
    expect(run.completed).toBe(true);
    expect(run.seen?.observed?.usage).toMatchObject({ inputTokens: 2000, outputTokens: 100 });
    expect(run.seen?.frames).toBe(3);
  });

  it('reads a stream-end line the body ends without its LF, also when the upstream fails right after it', async () => {
    const unterminated = STREAM.slice(0, -1);
    expect((await relayLines([unterminated], 'ends')).seen?.observed?.usage).toMatchObject({ inputTokens: 2000, outputTokens: 100 });
    const failed = await relayLines([unterminated], 'upstream fails');
    expect(failed.completed).toBe(false);
    expect(failed.seen?.observed?.usage).toMatchObject({ inputTokens: 2000, outputTokens: 100 });
  });

  it('reads no usage from a stream-end line cut short', async () => {
    const run = await relayLines([STREAM.slice(0, -20)], 'upstream fails');
    expect(run.seen?.observed?.usage).toBeNull();
    expect(run.seen?.frames).toBe(3);
  });

  it('marks a stream whose stream-end says finish_reason ERROR failed, with its usage', async () => {
    const failing = `${JSON.stringify({ ...END, finish_reason: 'ERROR' })}\n`;
    const run = await relayLines([failing], 'ends');
    expect(run.seen?.observed).toMatchObject({ failed: 'stream error: finish_reason ERROR', usage: { inputTokens: 2000, outputTokens: 100 } });
  });
});
