import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { sseFrames } from '../support/fake-upstream.js';
import { FaultUpstream, type Fault } from '../support/fault-upstream.js';
import { waitFor } from '../support/proxy-harness.js';
import { startForSuite } from '../support/suite-resource.js';
import { startBunProxy } from './bun-driver.js';

/**
 * The stream relay on the Bun edge (a direct ReadableStream fed by the relay's pump) and
 * the Bun upstream's timeouts: the same endings the Node edge is held to in
 * upstream-faults.test.ts — a client that leaves mid-stream, a provider that goes quiet
 * past idle_timeout_ms, one that never answers, one that cuts the stream — each recorded
 * once, and a whole stream relayed byte for byte.
 */

const STREAM = sseFrames(readFileSync(new URL('../fixtures/openai/chat-stream-usage.sse', import.meta.url), 'utf8'));
const USAGE_FRAME = STREAM.find((f) => f.includes('"usage":{')) as string;

describe('streams on the Bun edge', () => {
  let fault: Fault = { kind: 'stream', frames: STREAM };
  let upstream: FaultUpstream;
  const target = startForSuite(async () => {
    upstream = await new FaultUpstream(() => fault).start();
    return startBunProxy(upstream, {}, 'idle_timeout_ms: 300, header_timeout_ms: 300');
  }, 30_000);

  const rows = (): Array<Record<string, unknown>> => {
    const driver = openDriver(target().db, { readonly: true });
    try {
      return driver.prepare('SELECT outcome, status, streamed, usage_source, output_tokens, error FROM calls ORDER BY id').all<Record<string, unknown>>();
    } finally {
      driver.close();
    }
  };
  const ask = (signal?: AbortSignal) =>
    fetch(`${target().url}/proxy/openai/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${target().secret}`, 'content-type': 'application/json' },
      body: '{"model":"gpt-4o-mini","stream":true}',
      signal,
    });

  it('relays a whole stream byte for byte without the injected usage chunk, recorded once as ok', async () => {
    fault = { kind: 'stream', frames: STREAM, delayMs: 5 };
    const before = rows().length;
    const res = await ask();
    expect(await res.text()).toBe(STREAM.filter((f) => f !== USAGE_FRAME).join(''));
    await waitFor(() => rows().length === before + 1, 3000, 'one row');
    expect(rows().at(-1)).toMatchObject({ outcome: 'ok', status: 200, streamed: 1, usage_source: 'reported' });
  });

  it('a client that leaves mid-stream cancels the upstream stream and is recorded once as client_aborted', async () => {
    fault = { kind: 'stream', frames: STREAM, delayMs: 100 };
    const before = rows().length;
    const controller = new AbortController();
    const res = await ask(controller.signal);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    controller.abort();
    await waitFor(() => upstream.requests.at(-1)?.closedEarly === true, 3000, 'upstream stream cancelled');
    await waitFor(() => rows().length === before + 1, 3000, 'one row');
    await new Promise((r) => setTimeout(r, 200));
    expect(rows().length).toBe(before + 1);
    expect(rows().at(-1)).toMatchObject({ outcome: 'client_aborted', streamed: 1, usage_source: 'estimated' });
  });

  it('a client that stops reading, then leaves while the relay waits on it (backpressure): recorded once, as client_aborted', async () => {
    // ~8 MB of frames at once: far more than the sockets buffer, so the pump waits on the client's connection.
    const big = `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'x'.repeat(2000) } }] })}\n\n`;
    fault = { kind: 'stream', frames: [STREAM[0] as string, ...Array.from({ length: 4000 }, () => big), ...STREAM.slice(1)] };
    const before = rows().length;
    const body = '{"model":"gpt-4o-mini","stream":true}';
    const socket = connect(Number(new URL(target().url).port), '127.0.0.1');
    socket.on('error', () => {});
    socket.write(`POST /proxy/openai/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${target().secret}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    // Read the head and a little of the body, then never again.
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.pause();
    await new Promise((r) => setTimeout(r, 500));
    socket.destroy();
    await waitFor(() => rows().length === before + 1, 5000, 'one row');
    expect(rows().at(-1)).toMatchObject({ outcome: 'client_aborted', streamed: 1 });
    await new Promise((r) => setTimeout(r, 200));
    expect(rows().length).toBe(before + 1);
  });

  it('a provider quiet for longer than idle_timeout_ms mid-stream: the error frame ends the stream, recorded upstream_failed', async () => {
    fault = { kind: 'stream', frames: STREAM, stallAfter: 3 };
    const before = rows().length;
    const started = performance.now();
    const text = await (await ask()).text();
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(text.startsWith(STREAM.slice(0, 3).join(''))).toBe(true);
    expect(text).toMatch(/data: \{"error":\{"message":"The provider's stream failed/);
    await waitFor(() => rows().length === before + 1, 3000, 'one row');
    expect(rows().at(-1)).toMatchObject({ outcome: 'upstream_failed', status: 200, streamed: 1, error: 'upstream body failed: idle timeout between chunks' });
    await waitFor(() => upstream.requests.at(-1)?.closedEarly === true, 3000, 'upstream socket closed');
  });

  it('a provider that never answers: 504 after header_timeout_ms (the shared deadline timer), recorded upstream_failed', async () => {
    fault = { kind: 'stall-headers' };
    const before = rows().length;
    const started = performance.now();
    const res = await ask();
    const waited = performance.now() - started;
    expect(res.status).toBe(504);
    expect(waited).toBeGreaterThanOrEqual(290);
    expect(waited).toBeLessThan(3000);
    await waitFor(() => rows().length === before + 1, 3000, 'one row');
    expect(rows().at(-1)).toMatchObject({ outcome: 'upstream_failed', status: 504 });
  });

  it('a provider that cuts the stream: the error frame ends it, recorded once with the frames seen', async () => {
    fault = { kind: 'stream', frames: STREAM, cutAfter: 4, delayMs: 5 };
    const before = rows().length;
    const text = await (await ask()).text();
    expect(text.startsWith(STREAM.slice(0, 4).join(''))).toBe(true);
    expect(text).toMatch(/data: \{"error":\{"message":"The provider's stream failed before it finished/);
    await waitFor(() => rows().length === before + 1, 3000, 'one row');
    expect(rows().at(-1)).toMatchObject({ outcome: 'upstream_failed', streamed: 1, usage_source: 'estimated', output_tokens: 4 });
  });
});
