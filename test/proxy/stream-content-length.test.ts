import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sourceOf } from '../../src/proxy/stream-body.js';
import type { StreamBody, UpstreamResponse } from '../../src/proxy/types.js';
import { sseFrames } from '../support/fake-upstream.js';
import { chatCall, fixture } from '../proxy/fakes.js';

const FRAMES = sseFrames(readFileSync(new URL('../fixtures/openai/chat-stream-usage.sse', import.meta.url), 'utf8'));
const enc = new TextEncoder();
const dec = new TextDecoder();

/** An SSE answer that declares Content-Length for its whole body, sends `sent` frames, then breaks. */
function declaredSse(declared: number, frames: readonly string[]): UpstreamResponse {
  return {
    status: 200,
    headers: { 'content-type': 'text/event-stream', 'content-length': String(declared) },
    body: sourceOf(
      (async function* () {
        for (const f of frames) yield enc.encode(f);
        throw Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
      })(),
    ),
    bytes: () => Promise.reject(new Error('a stream is not read whole')),
  };
}

describe('a stream the provider sent with Content-Length, broken before its end', () => {
  it('the bytes the relay writes match the Content-Length it forwarded to the client', async () => {
    const whole = enc.encode(FRAMES.join('')).length;
    const sent = FRAMES.slice(0, 3);
    // The client asked for usage itself: no strip, so the provider's Content-Length is forwarded.
    const f = fixture(() => declaredSse(whole, sent));
    const res = await f.handle(chatCall({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [] }));
    let written = 0;
    let text = '';
    await (res.body as StreamBody)
      .pump((chunk) => {
        written += chunk.length;
        text += dec.decode(chunk);
      })
      .catch(() => {});
    expect(text).toContain('"error"'); // the relay appended its error frame
    const declared = res.headers['content-length'];
    // A declared length the body does not have desynchronises the client's keep-alive connection
    // (more bytes: the rest is read as the next response) or leaves it waiting (fewer bytes).
    if (declared !== undefined) expect(written, `Content-Length ${String(declared)} forwarded, ${written} bytes written`).toBe(Number(declared));
  });

  it('an appended error frame longer than the missing part: fewer bytes declared than written', async () => {
    const sent = FRAMES.slice(0, 3);
    const got = enc.encode(sent.join('')).length;
    // The provider promised 10 bytes more than it sent before the connection broke.
    const f = fixture(() => declaredSse(got + 10, sent));
    const res = await f.handle(chatCall({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [] }));
    let written = 0;
    await (res.body as StreamBody).pump((chunk) => void (written += chunk.length)).catch(() => {});
    const declared = res.headers['content-length'];
    if (declared !== undefined) expect(written, `Content-Length ${String(declared)} forwarded, ${written} bytes written`).toBeLessThanOrEqual(Number(declared));
  });
});

