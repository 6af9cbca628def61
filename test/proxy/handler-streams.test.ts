import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { OutgoingResponse, StreamBody } from '../../src/proxy/types.js';
import type { CallRecord } from '../../src/store/types.js';
import { sourceOf } from '../../src/proxy/stream-body.js';
import { sseFrames } from '../support/fake-upstream.js';
import { afterImmediates, bodyText, chatCall, fixture, latch, pullChunks, sseAnswer } from './fakes.js';

const FRAMES = sseFrames(readFileSync(new URL('../fixtures/openai/chat-stream-usage.sse', import.meta.url), 'utf8'));
/** The usage-only chunk: the proxy injected include_usage, so the client must not see it. */
const USAGE_FRAME = FRAMES.find((f) => f.includes('"usage":{')) as string;
const STREAM = { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Capital of France?' }] };
const decoder = new TextDecoder();

/** The response's chunks, pulled one by one as an edge drives them. */
function chunks(res: OutgoingResponse): AsyncIterator<Uint8Array> {
  return pullChunks(res.body as StreamBody);
}

describe('the proxy handler on fake dependencies: streams', () => {
  it('asks for usage, strips the injected usage chunk frame-exactly, and records the usage from it once', async () => {
    const f = fixture((req) => sseAnswer(req, FRAMES));
    const res = await f.handle(chatCall(STREAM));
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBeUndefined();
    expect(f.records, 'recorded when the body ends, not before').toHaveLength(0);
    expect(await bodyText(res)).toBe(FRAMES.filter((frame) => frame !== USAGE_FRAME).join(''));
    const sent = JSON.parse(decoder.decode(f.upstream.requests[0]?.body ?? new Uint8Array())) as { stream_options?: unknown };
    expect(sent.stream_options).toEqual({ include_usage: true });
    expect(f.records).toHaveLength(1);
    const r = f.records[0] as CallRecord;
    expect(r).toMatchObject({ outcome: 'ok', status: 200, streamed: true, usageSource: 'reported', usage: { inputTokens: 1250, outputTokens: 9 } });
    expect(r.ttfbMs).not.toBeNull();
    expect(f.gate.settled).toEqual([['r1', r.costNano]]);
  });

  it('relays frames that arrive together in one read as that read, uncopied, and still strips the usage chunk from a read', async () => {
    const usageAt = FRAMES.indexOf(USAGE_FRAME);
    const reads = [FRAMES.slice(0, usageAt).join(''), FRAMES.slice(usageAt).join('')].map((text) => new TextEncoder().encode(text));
    const f = fixture(() => ({
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body: sourceOf(
        (async function* () {
          yield* reads;
        })(),
      ),
      bytes: () => Promise.reject(new Error('a stream is not read whole')),
    }));
    const res = await f.handle(chatCall(STREAM));
    const out: Uint8Array[] = [];
    const it = chunks(res);
    for (let r = await it.next(); !r.done; r = await it.next()) out.push(r.value);
    expect(out.map((c) => decoder.decode(c))).toEqual([FRAMES.slice(0, usageAt).join(''), FRAMES.slice(usageAt + 1).join('')]);
    expect(out[0]?.buffer, 'the first read, every frame kept: the read itself').toBe(reads[0]?.buffer);
    expect(f.records[0]).toMatchObject({ outcome: 'ok', usageSource: 'reported', usage: { inputTokens: 1250, outputTokens: 9 } });
  });

  it('frames completed across reads reach the client intact when it keeps every chunk to the end (strip on, reads of 1 to 97 bytes)', async () => {
    const text = FRAMES.join('');
    const expected = FRAMES.filter((frame) => frame !== USAGE_FRAME).join('');
    for (const size of [1, 7, 50, 97]) {
      const f = fixture(() => ({
        status: 200,
        headers: { 'content-type': 'text/event-stream' },
        body: sourceOf(
          (async function* () {
            for (let i = 0; i < text.length; i += size) yield new TextEncoder().encode(text.slice(i, i + size));
          })(),
        ),
        bytes: () => Promise.reject(new Error('a stream is not read whole')),
      }));
      const res = await f.handle(chatCall(STREAM));
      const kept: Uint8Array[] = [];
      const it = chunks(res);
      for (let r = await it.next(); !r.done; r = await it.next()) kept.push(r.value);
      expect(kept.map((c) => decoder.decode(c)).join(''), `${size}-byte reads`).toBe(expected);
      expect(f.records[0], `${size}-byte reads`).toMatchObject({ outcome: 'ok', usage: { inputTokens: 1250, outputTokens: 9 } });
    }
  });

  it('relays a stream the client asked usage for itself byte for byte', async () => {
    const f = fixture((req) => sseAnswer(req, FRAMES));
    const res = await f.handle(chatCall({ ...STREAM, stream_options: { include_usage: true } }));
    expect(await bodyText(res)).toBe(FRAMES.join(''));
    expect(f.records.map((r) => r.usageSource)).toEqual(['reported']);
  });

  it("ends a stream the provider breaks with the provider's error frame; upstream_failed, the frames so far estimated, once", async () => {
    const f = fixture((req) => sseAnswer(req, FRAMES, { failAfter: 4 }));
    const res = await f.handle(chatCall(STREAM));
    const text = await bodyText(res);
    expect(text.startsWith(FRAMES.slice(0, 4).join(''))).toBe(true);
    const last = text.slice(FRAMES.slice(0, 4).join('').length);
    expect(JSON.parse(last.replace(/^data: /, '')).error.message).toBe("The provider's stream failed before it finished (UND_ERR_SOCKET); tokens used so far may still be billed.");
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({ outcome: 'upstream_failed', status: 200, usageSource: 'estimated', error: 'upstream body failed: other side closed' });
    expect(f.records[0]?.usage?.outputTokens).toBe(4);
    await afterImmediates();
    expect(f.records).toHaveLength(1);
    expect(f.gate.settled).toHaveLength(1);
  });

  it('aborts the upstream request when the client leaves mid-stream and records client_aborted once, with the frames seen', async () => {
    const step = latch();
    let served = 0;
    const f = fixture((req) => sseAnswer(req, FRAMES, { step: () => (served++ < 3 ? Promise.resolve() : step.wait) }));
    const call = chatCall(STREAM);
    const res = await f.handle(call);
    const it = chunks(res);
    for (let i = 0; i < 3; i++) expect((await it.next()).done).toBe(false);
    // Ends when the client has left (the pump rejects it): handled from the start.
    const fourth = it.next().then(
      () => {},
      () => {},
    );
    call.leave();
    // Within the event loop's turn: the relay first meters what the upstream client already holds.
    await afterImmediates();
    expect(f.upstream.requests[0]?.cancel.aborted).toBe(true);
    step.open();
    await fourth;
    await it.return?.();
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({ outcome: 'client_aborted', status: 200, error: 'client disconnected mid-response', usageSource: 'estimated' });
    expect(f.records[0]?.usage?.outputTokens).toBe(3);
    expect(f.gate.settled).toHaveLength(1);
  });

  it('records a client that leaves after reading data: [DONE] as ok, although the provider had not ended its body yet', async () => {
    // SDKs (Mistral's) cancel the response at [DONE]; the provider's end of body may come later.
    const bodyEnd = latch();
    let served = 0;
    // One empty chunk after the frames stands for the body's end, held until the client has left.
    const f = fixture((req) => sseAnswer(req, [...FRAMES, ''], { step: () => (served++ < FRAMES.length ? Promise.resolve() : bodyEnd.wait) }));
    const call = chatCall({ ...STREAM, stream_options: { include_usage: true } });
    const res = await f.handle(call);
    const it = chunks(res);
    let text = '';
    for (let i = 0; i < FRAMES.length; i++) text += decoder.decode(((await it.next()) as IteratorYieldResult<Uint8Array>).value);
    expect(text).toBe(FRAMES.join(''));
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    // The client pulls again, which settles the write of the [DONE] chunk: it has taken that
    // chunk (as a drain or a flush settles a real edge's write). A client that leaves while
    // that write is still pending never had [DONE] (test/proxy/relay-done-unsent.test.ts).
    const more = it.next().catch(() => undefined);
    await afterImmediates();
    call.leave();
    bodyEnd.open();
    await more;
    await it.return?.();
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({ outcome: 'ok', status: 200, error: null, usageSource: 'reported', usage: { inputTokens: 1250, outputTokens: 9 } });
    expect(f.upstream.requests[0]?.cancel.aborted, 'the upstream request is still released').toBe(true);
    expect(f.gate.settled).toHaveLength(1);
  });

  it('still records a client that leaves one frame before data: [DONE] as client_aborted', async () => {
    const step = latch();
    let served = 0;
    const f = fixture((req) => sseAnswer(req, FRAMES, { step: () => (served++ < FRAMES.length - 1 ? Promise.resolve() : step.wait) }));
    const call = chatCall({ ...STREAM, stream_options: { include_usage: true } });
    const res = await f.handle(call);
    const it = chunks(res);
    for (let i = 0; i < FRAMES.length - 1; i++) expect((await it.next()).done).toBe(false);
    call.leave();
    step.open();
    await it.return?.();
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({ outcome: 'client_aborted', status: 200, error: 'client disconnected mid-response' });
  });

  it('records a client that leaves before the edge reads anything, although the relay never started', async () => {
    const f = fixture((req) => sseAnswer(req, FRAMES));
    const call = chatCall(STREAM);
    const res = await f.handle(call);
    call.leave();
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({ outcome: 'client_aborted', status: 200, ttfbMs: null });
    // The edge may still close the body it never read: nothing more is recorded.
    await chunks(res).return?.();
    expect(f.records).toHaveLength(1);
    expect(f.gate.settled).toHaveLength(1);
  });
});
