import { describe, expect, it, vi } from 'vitest';
import { sourceOf } from '../../src/proxy/stream-body.js';
import type { ChunkWriter } from '../../src/proxy/types.js';
import { useFakeClock } from '../lib/fake-clock.js';
import { latch, relayChat } from './fakes.js';

/**
 * The relay's idle timeout bounds the upstream's silence between two chunks. Time the relay
 * spends waiting for a slow client to take a chunk (backpressure) is not the upstream's: the
 * next chunk may be waiting to be read all along.
 */

const enc = new TextEncoder();
const dec = new TextDecoder();
const IDLE_MS = 100;

const FRAMES = [
  'data: {"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"usage":null}\n\n',
  'data: {"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3}}\n\n',
  'data: [DONE]\n\n',
];

interface Run {
  client: string;
  completed: boolean | null;
  error: unknown;
  pumped: Promise<void>;
}

/** Relays `FRAMES` (each ready at once, unless `before` delays one by index) to `write`. */
function relay(write: (chunk: Uint8Array, run: Run) => ReturnType<ChunkWriter>, before: (i: number) => Promise<void> = async () => {}): Run {
  const run: Run = { client: '', completed: null, error: null, pumped: Promise.resolve() };
  const source = sourceOf(
    (async function* () {
      for (let i = 0; i < FRAMES.length; i++) {
        await before(i);
        yield enc.encode(FRAMES[i] as string);
      }
    })(),
  );
  const body = relayChat(source, {
    idleMs: IDLE_MS,
    onFinished: (completed, error) => {
      run.completed = completed;
      run.error = error;
    },
  });
  run.pumped = body.pump((chunk) => write(chunk, run)).catch(() => {});
  return run;
}

describe('relayBody: the idle timeout measures the upstream, not a slow client', () => {
  useFakeClock();

  it('a client that takes 5 × idle_timeout to read the first chunk, with the rest ready upstream: the stream completes', async () => {
    const client = latch();
    let writes = 0;
    const run = relay((chunk, r) => {
      r.client += dec.decode(chunk);
      if (++writes === 1) return client.wait;
    });
    await vi.advanceTimersByTimeAsync(5 * IDLE_MS);
    client.open();
    await vi.advanceTimersByTimeAsync(0);
    await run.pumped;
    expect(run.error).toBeNull();
    expect(run.completed).toBe(true);
    expect(run.client).toBe(FRAMES.join(''));
  });

  it('still times out an upstream silent for idle_timeout after a slow client caught up', async () => {
    const client = latch();
    const upstream = latch();
    let writes = 0;
    const run = relay(
      (chunk, r) => {
        r.client += dec.decode(chunk);
        if (++writes === 1) return client.wait;
      },
      (i) => (i === 1 ? upstream.wait : Promise.resolve()),
    );
    await vi.advanceTimersByTimeAsync(5 * IDLE_MS);
    client.open();
    await vi.advanceTimersByTimeAsync(IDLE_MS - 1);
    expect(run.completed, 'not idle yet: the upstream has been silent idle_timeout - 1 ms').toBeNull();
    await vi.advanceTimersByTimeAsync(1);
    // A generator cannot be returned while it awaits: let it go on, as a cancelled socket would end.
    upstream.open();
    await run.pumped;
    expect(run.completed).toBe(false);
    expect(String(run.error)).toMatch(/idle timeout/);
  });
});
