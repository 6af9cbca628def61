import { concatBytes } from '../lib/bytes.js';
import type { Deadlines } from '../lib/deadlines.js';
import { UpstreamError, type ChunkRead, type ChunkSource, type HeaderMap, type UpstreamResponse } from '../proxy/types.js';

/** Body bytes queued unread before the socket stops reading (TCP backpressure to the provider). */
const HIGH_WATER_BYTES = 256 * 1024;

const DONE: ChunkRead = Object.freeze({ done: true }) as ChunkRead;
const DONE_READ: Promise<ChunkRead> = Promise.resolve(DONE);

/** What a SocketBody asks of the connection it is read from. */
export interface BodyConnection {
  /** Stop reading from the socket / read again. */
  pause(): void;
  resume(): void;
  /** The reader gave up (cancel, or `bytes()` timed out): close the connection. */
  abandon(reason: UpstreamError): void;
}

/**
 * A response body as the socket delivers it, read either chunk by chunk (`read`, the
 * relay's ChunkSource: one read at a time, chunks are the socket's own buffers, no copy)
 * or whole (`bytes`). Chunks nobody has read yet wait in a queue; past HIGH_WATER_BYTES the
 * socket is paused until the reader catches up. `end` and `error` come from the exchange.
 */
export class SocketBody implements ChunkSource {
  private queue: Uint8Array[] = [];
  private queued = 0;
  private paused = false;
  private ended = false;
  private failure: unknown = null;
  private waiting: { resolve: (r: ChunkRead) => void; reject: (e: unknown) => void } | null = null;
  private collect: { resolve: (b: Uint8Array) => void; reject: (e: unknown) => void } | null = null;

  constructor(
    private readonly conn: BodyConnection,
    /** The body timeout of `bytes()`. */
    private readonly idle: Deadlines,
  ) {}

  push(data: Uint8Array): void {
    if (this.ended) return;
    const waiting = this.waiting;
    if (waiting !== null && this.queue.length === 0) {
      this.waiting = null;
      waiting.resolve({ done: false, value: data });
      return;
    }
    this.queue.push(data);
    this.queued += data.length;
    if (this.collect === null && this.queued > HIGH_WATER_BYTES && !this.paused) {
      this.paused = true;
      this.conn.pause();
    }
  }

  /** The body is complete. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    const collect = this.collect;
    if (collect !== null) {
      this.collect = null;
      collect.resolve(this.takeAll());
    } else if (this.waiting !== null) {
      const waiting = this.waiting;
      this.waiting = null;
      waiting.resolve(DONE);
    }
  }

  /** The body failed: what was queued can still be read, then reads reject with `error`. */
  error(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    const reject = this.collect?.reject ?? this.waiting?.reject;
    this.collect = this.waiting = null;
    reject?.(error);
  }

  /** True while the socket is paused for this body (the exchange resumes it before reusing the connection). */
  get isPaused(): boolean {
    return this.paused;
  }

  read(): Promise<ChunkRead> {
    if (this.queue.length > 0) {
      const value = this.queue.shift() as Uint8Array;
      this.queued -= value.length;
      if (this.queued <= HIGH_WATER_BYTES / 2) this.unpause();
      return Promise.resolve({ done: false, value });
    }
    if (this.ended) return this.failure !== null ? Promise.reject(this.failure) : DONE_READ;
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  /** Stops reading: a waiting read resolves done (as a web stream reader's does), the connection closes. */
  cancel(): void {
    this.queue = [];
    this.queued = 0;
    if (this.ended) return;
    this.ended = true;
    const waiting = this.waiting;
    this.waiting = null;
    this.conn.abandon(new UpstreamError('unreachable', 'cancelled'));
    waiting?.resolve(DONE);
  }

  /** The whole body, within one body timeout. */
  bytes(): Promise<Uint8Array> {
    if (this.ended) return this.failure !== null ? Promise.reject(this.failure) : Promise.resolve(this.takeAll());
    const whole = new Promise<Uint8Array>((resolve, reject) => (this.collect = { resolve, reject }));
    // Queued past the high-water mark before anyone collected: a collector takes everything, so read on.
    this.unpause();
    return this.idle.race(whole, () => {
      const timeout = new UpstreamError('timeout', 'idle timeout between chunks');
      this.error(timeout);
      this.conn.abandon(timeout);
      return timeout;
    });
  }

  /** Reads from the socket again if this body paused it. */
  private unpause(): void {
    if (!this.paused) return;
    this.paused = false;
    this.conn.resume();
  }

  private takeAll(): Uint8Array {
    const parts = this.queue;
    this.queue = [];
    this.queued = 0;
    return concatBytes(parts);
  }
}

/** The socket client's response: the body is the SocketBody itself (no wrapper objects or closures per call). */
export class SocketResponse implements UpstreamResponse {
  constructor(
    readonly status: number,
    readonly headers: HeaderMap,
    readonly body: SocketBody,
  ) {}

  bytes(): Promise<Uint8Array> {
    return this.body.bytes();
  }
}
