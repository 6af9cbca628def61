import { describe, expect, it } from 'vitest';
import { RunningStreams, SHUTTING_DOWN } from '../../src/proxy/running-streams.js';
import type { ChunkRead, ChunkSource } from '../../src/proxy/types.js';
import { relayChat } from './fakes.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

const FRAME = 'data: {"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"usage":null}\n\n';
const DONE_FRAME = 'data: [DONE]\n\n';

/** A source that gives `chunks` and then waits on the network until `finish` (the upstream's end) or `cancel`. */
function waitingSource(chunks: string[]): ChunkSource & { finish(): void; cancelled: boolean } {
  const queue = chunks.map((c) => enc.encode(c));
  let wake: ((read: ChunkRead) => void) | null = null;
  const source = {
    cancelled: false,
    read(): Promise<ChunkRead> {
      const value = queue.shift();
      if (value !== undefined) return Promise.resolve({ done: false, value });
      if (source.cancelled) return Promise.resolve({ done: true });
      return new Promise<ChunkRead>((resolve) => (wake = resolve));
    },
    cancel() {
      source.cancelled = true;
      wake?.({ done: true });
    },
    finish() {
      wake?.({ done: true });
    },
  };
  return source;
}

/** Relays `source` with `running`, writing what the client gets into `out.client`. */
function relay(source: ChunkSource, running: RunningStreams, mode: 'sse' | 'raw' = 'sse') {
  const out = { client: '', ended: null as { completed: boolean; error: unknown } | null, pump: 'pending' as 'pending' | 'resolved' | 'rejected' };
  const body = relayChat(source, { mode, running, onFinished: (completed, error) => (out.ended = { completed, error }) });
  const pumped = body.pump((chunk) => {
    out.client += dec.decode(chunk);
  });
  const settled = pumped.then(
    () => (out.pump = 'resolved'),
    () => (out.pump = 'rejected'),
  );
  return { out, settled };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('RunningStreams: the relays the shutdown ends with an error frame', () => {
  it('a relay is registered while it pumps and removed when it ends', async () => {
    const running = new RunningStreams();
    const source = waitingSource([FRAME, DONE_FRAME]);
    const { out, settled } = relay(source, running);
    await tick();
    expect(running.size).toBe(1);
    source.finish();
    await settled;
    expect(out.ended).toEqual({ completed: true, error: null });
    expect(running.size).toBe(0);
  });

  it('haltAll: a stream waiting for the upstream ends with the error frame, cleanly, recorded from SHUTTING_DOWN; resolves once it ended', async () => {
    const running = new RunningStreams();
    const source = waitingSource([FRAME]);
    const { out, settled } = relay(source, running);
    await tick();
    await running.haltAll();
    // Resolved only once the relay ended: the frame written, the call recorded.
    expect(out.ended).toEqual({ completed: false, error: SHUTTING_DOWN });
    expect(source.cancelled).toBe(true);
    await settled;
    expect(out.pump).toBe('resolved');
    expect(out.client).toBe(`${FRAME}data: ${JSON.stringify({ error: { message: SHUTTING_DOWN.message, type: 'server_error', param: null, code: 'service_unavailable' } })}\n\n`);
    expect(running.size).toBe(0);
  });

  it('a frame the upstream sent only part of is never sent: the error frame follows the last whole one', async () => {
    const running = new RunningStreams();
    const { out, settled } = relay(waitingSource([FRAME, 'data: {"model":"gpt-4o-mi']), running);
    await tick();
    await running.haltAll();
    await settled;
    // Blank lines between (the relay closes a frame it holds part of first) dispatch nothing in SSE.
    expect(out.client.replace(/\n{3,}/g, '\n\n')).toBe(`${FRAME}data: ${JSON.stringify({ error: { message: SHUTTING_DOWN.message, type: 'server_error', param: null, code: 'service_unavailable' } })}\n\n`);
  });

  it('a body without an error frame (relayed raw) is cut: the pump rejects, so the edge cuts the connection', async () => {
    const running = new RunningStreams();
    const { out, settled } = relay(waitingSource(['{"partial":']), running, 'raw');
    await tick();
    await running.haltAll();
    await settled;
    expect(out.pump).toBe('rejected');
    expect(out.ended).toEqual({ completed: false, error: SHUTTING_DOWN });
    expect(out.client).toBe('{"partial":');
  });

  it('a stream whose end marker the client already has completes as it is', async () => {
    const running = new RunningStreams();
    const { out, settled } = relay(waitingSource([FRAME, DONE_FRAME]), running);
    await tick();
    await running.haltAll();
    await settled;
    expect(out.ended).toEqual({ completed: true, error: null });
    expect(out.client).toBe(FRAME + DONE_FRAME);
  });

  it('a relay that starts after haltAll is halted at once', async () => {
    const running = new RunningStreams();
    await running.haltAll();
    const { out, settled } = relay(waitingSource([FRAME]), running);
    await settled;
    expect(out.ended).toEqual({ completed: false, error: SHUTTING_DOWN });
    expect(out.client).toContain('tokometer is shutting down');
    expect(running.size).toBe(0);
  });
});
