import { ProxyError } from '../lib/errors.js';

/**
 * Why a stream still relayed when the shutdown's grace period ended was ended: the message of
 * the provider-shaped error frame its client gets (503 `unavailable`: each SDK raises it as a
 * server error it may retry), and the relay's failure the call is recorded from (respond.ts).
 */
export const SHUTTING_DOWN = new ProxyError('unavailable', 'tokometer is shutting down: this stream was ended before the provider finished it. Send the request again (to another tokometer, or once this one is back).');

/** A relayed body the shutdown can end (relay.ts relayBody registers one per pumped body). */
export interface HaltableStream {
  /**
   * Ends the body now, the shutdown's way: a metered SSE stream with the provider's error frame
   * saying tokometer is shutting down (then a clean end), any other body by a cut. Resolves
   * once the relay ended (its frame written, its call recorded); never rejects.
   */
  halt(): Promise<void>;
}

/**
 * The bodies being relayed to clients, so that the end of the shutdown's grace period can end
 * each one with an error frame before the server cuts the connections (shutdown.ts
 * closeServer). The hot path pays one Set add and one delete per relayed body: no timer, no
 * promise, nothing per chunk.
 */
export class RunningStreams {
  private readonly streams = new Set<HaltableStream>();
  private halting = false;

  /** A body started relaying; one that starts after `haltAll` is halted at once. */
  add(stream: HaltableStream): void {
    if (this.halting) {
      void stream.halt();
      return;
    }
    this.streams.add(stream);
  }

  /** The body ended (whichever way); idempotent. */
  delete(stream: HaltableStream): void {
    this.streams.delete(stream);
  }

  /** Bodies being relayed now. */
  get size(): number {
    return this.streams.size;
  }

  /** The grace period is over: ends every body being relayed (and any that starts later); resolves once each ended. Never rejects. */
  haltAll(): Promise<void> {
    this.halting = true;
    const ended: Array<Promise<void>> = [];
    for (const stream of this.streams) ended.push(stream.halt());
    this.streams.clear();
    return Promise.all(ended).then(() => undefined);
  }
}
