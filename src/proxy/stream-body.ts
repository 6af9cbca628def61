import { monotonicMs } from '../lib/clock.js';
import type { ChunkRead, ChunkSource, StreamBody } from './types.js';

const DONE: ChunkRead = Object.freeze({ done: true }) as ChunkRead;

/**
 * A ChunkSource over an async iterable (undici's body, test fakes); `cancel` returns the
 * iterator, and calls `stop` when given. An async generator waiting for data (a stream's
 * iterator) takes `return` only once that data comes: `stop` is what ends a read waiting on
 * the network (undici's body: destroy it, which aborts its request).
 */
export function sourceOf<T extends AsyncIterable<Uint8Array>>(chunks: T, stop?: (chunks: T) => void): ChunkSource {
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
      stop?.(chunks);
      Promise.resolve(iterator.return?.()).catch(() => {});
    },
  };
}

/** What a read racing the end of the event loop's turn resolves to when the turn ended first. */
const TURN_OVER = Symbol('turn over');

/**
 * Reads the chunks `source` already holds (received from the upstream, not read yet) without
 * waiting on the network: stops at the body's end, at its failure, or at the first read still
 * pending when this turn of the event loop ends (one setImmediate). That read is abandoned;
 * the caller cancels the source, which settles it. Never rejects. For abnormal ends only.
 */
export async function readReceived(source: ChunkSource): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  const turnOver = new Promise<typeof TURN_OVER>((resolve) => setImmediate(resolve, TURN_OVER));
  try {
    for (;;) {
      const read = source.read();
      const next = await Promise.race([read, turnOver]);
      if (next === TURN_OVER) {
        read.catch(() => {});
        break;
      }
      if (next.done) break;
      chunks.push(next.value);
    }
  } catch {
    // The body failed: the chunks before the failure still count.
  }
  return chunks;
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
