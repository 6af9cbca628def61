import { describe, expect, it, vi } from 'vitest';
import { IdleWatch, sourceOf, streamOf } from '../../src/proxy/stream-body.js';
import { useFakeClock } from '../lib/fake-clock.js';

describe('IdleWatch: one timer per body, checked against the last chunk when it fires', () => {
  useFakeClock();

  /** An IdleWatch of `idleMs` that records performance.now() each time it fires. */
  const recordingWatch = (idleMs: number) => {
    const fired: number[] = [];
    return { fired, watch: new IdleWatch(idleMs, () => fired.push(performance.now())) };
  };
  /** Asserts that the watch stays quiet for the next `ms` - 1 ms and has fired once at the `ms`th. */
  const expectFiresAfter = (fired: number[], ms: number) => {
    vi.advanceTimersByTime(ms - 1);
    expect(fired).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(fired).toHaveLength(1);
  };

  it('fires once, idleMs after the start when nothing arrives', () => {
    const { fired } = recordingWatch(100);
    expectFiresAfter(fired, 100);
    vi.advanceTimersByTime(1000);
    expect(fired).toHaveLength(1);
  });

  it('chunks postpone it: it fires idleMs after the last touch, not after the first timer', () => {
    const { fired, watch } = recordingWatch(100);
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(60);
      watch.touch();
    }
    // 300 ms in, last touch at 300: nothing yet at 399, fired at 400.
    expectFiresAfter(fired, 100);
  });

  it('hold() (waiting on a slow consumer) keeps it quiet however long; it fires idleMs after the touch that ends the hold', () => {
    const { fired, watch } = recordingWatch(100);
    vi.advanceTimersByTime(50);
    watch.hold();
    vi.advanceTimersByTime(1000);
    expect(fired).toHaveLength(0);
    watch.touch();
    expectFiresAfter(fired, 100);
  });

  it('stop() before the quiet period ends means it never fires', () => {
    const { fired, watch } = recordingWatch(100);
    vi.advanceTimersByTime(50);
    watch.stop();
    vi.advanceTimersByTime(1000);
    expect(fired).toHaveLength(0);
  });
});

describe('sourceOf / streamOf over async iterables', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);

  it('reads every chunk, then done; after cancel, reads are done and the iterator is returned', async () => {
    let returned = false;
    const gen = (async function* () {
      try {
        yield bytes('a');
        yield bytes('b');
        yield bytes('c');
      } finally {
        returned = true;
      }
    })();
    const source = sourceOf(gen);
    expect((await source.read()).value).toEqual(bytes('a'));
    source.cancel();
    expect((await source.read()).done).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(returned).toBe(true);
  });

  it('streamOf writes each chunk in order and waits for a writer that asks it to', async () => {
    const seen: string[] = [];
    let release: () => void = () => {};
    const body = streamOf(
      (async function* () {
        yield bytes('1');
        yield bytes('2');
      })(),
    );
    const done = body.pump((chunk) => {
      seen.push(new TextDecoder().decode(chunk));
      if (seen.length === 1) return new Promise<void>((r) => (release = r));
    });
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['1']);
    release();
    await done;
    expect(seen).toEqual(['1', '2']);
  });
});
