import { monotonicMs } from '../lib/clock.js';
import type { ChunkRead, ChunkSource, StreamBody } from './types.js';

const DONE: ChunkRead = Object.freeze({ done: true }) as ChunkRead;

/** A ChunkSource over an async iterable (undici's body, test fakes); `cancel` returns the iterator. */
export function sourceOf(chunks: AsyncIterable<Uint8Array>): ChunkSource {
  const iterator = chunks[Symbol.asyncIterator]();
  let cancelled = false;
  return {
    async read() {
      if (cancelled) return DONE;
      const next = await iterator.next();
      return next.done || cancelled ? DONE : { done: false, value: next.value };
    },
    cancel() {
      if (cancelled) return;
      cancelled = true;
      Promise.resolve(iterator.return?.()).catch(() => {});
    },
  };
}

/** A StreamBody that sends the chunks of an async iterable as they come (the demo's simulated provider). */
export function streamOf(chunks: AsyncIterable<Uint8Array>): StreamBody {
  const source = sourceOf(chunks);
  return {
    async pump(write) {
      for (;;) {
        const next = await source.read();
        if (next.done) return;
        const wait = write(next.value);
        if (wait !== undefined) await wait;
      }
    },
    cancel: () => source.cancel(),
  };
}

/**
 * Bounds the quiet time of a body's source with one timer per body: the reader stamps the
 * time it goes back to waiting for the source (`touch`), and the timer, when it fires,
 * compares that stamp with the clock and re-arms itself for the rest of the interval. No
 * timer work per chunk. Time the reader spends waiting on its own consumer (`hold`, until
 * the next `touch`: a slow client's backpressure) is not the source's and never counts.
 * `onIdle` runs once, `idleMs` or a little more after the last touch with no hold since.
 */
export class IdleWatch {
  private last = monotonicMs();
  /** Set by `hold`, cleared by `touch`: the reader is waiting on its consumer, not on the source. */
  private held = false;
  private timer: ReturnType<typeof setTimeout> | null;

  constructor(
    private readonly idleMs: number,
    private readonly onIdle: () => void,
  ) {
    this.timer = setTimeout(this.check, idleMs);
  }

  /** The reader waits for the source again from now (a chunk arrived and was handed on). */
  touch(): void {
    this.last = monotonicMs();
    this.held = false;
  }

  /** The reader waits on its consumer until the next `touch`; the source's quiet is not counted meanwhile. */
  hold(): void {
    this.held = true;
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private readonly check = (): void => {
    if (this.timer === null) return;
    if (this.held) {
      // The quiet time starts over at the touch that ends the hold: look again a full interval on.
      this.timer = setTimeout(this.check, this.idleMs);
      return;
    }
    const quiet = monotonicMs() - this.last;
    if (quiet >= this.idleMs) {
      this.timer = null;
      this.onIdle();
    } else {
      this.timer = setTimeout(this.check, this.idleMs - quiet);
    }
  };
}
