import type { CallCancel } from '../lib/cancel.js';

/**
 * The runtime-neutral shapes the proxy handler works on. The server edges
 * (server/node.ts, server/bun.ts) translate their runtime's request and response
 * objects to and from these; the handler never imports a runtime module.
 */

/** Response or request headers: lower-case names; repeated headers (set-cookie) as arrays. */
export type HeaderMap = Record<string, string | string[]>;

export interface IncomingCall {
  method: string;
  /** Path and query exactly as received, e.g. `/proxy/openai/chat/completions?x=1`. */
  url: string;
  /** Request headers with lower-case names (repeated values joined with ', '). */
  headers: Record<string, string>;
  /**
   * Reads the whole request body. Resolves null when it exceeds `limitBytes`
   * (the edge stops reading; the handler answers 413).
   */
  readBody(limitBytes: number): Promise<Uint8Array | null>;
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
  /** Remote address, for logs only. */
  remoteAddress?: string;
}

export interface OutgoingResponse {
  status: number;
  headers: HeaderMap;
  /** A complete body, or one produced while it is sent. */
  body: Uint8Array | string | StreamBody | null;
}

/** One read of a ChunkSource (the shape of a web stream reader's result). */
export type ChunkRead = { done: false; value: Uint8Array } | { done: true; value?: undefined };

/**
 * An upstream response body read chunk by chunk, straight from the runtime's own reader
 * (no wrapper between it and the relay). `read` resolves `{ done: true }` at the end and
 * after `cancel`, and rejects when the body fails. One read at a time. Chunks received but
 * not read yet are the source's until read or cancelled (a relay whose client left reads
 * them for their usage first).
 */
export interface ChunkSource {
  read(): Promise<ChunkRead>;
  /**
   * Stops reading and releases the connection, at once: a read waiting on the network
   * settles (done, or rejected). Idempotent; never throws.
   */
  cancel(): void;
}

/** Sends one chunk to the client; a returned promise asks the producer to wait for it before the next chunk (backpressure). */
export type ChunkWriter = (chunk: Uint8Array) => void | PromiseLike<unknown>;

/**
 * A response body produced while it is sent (a relayed stream). The edge calls `pump`
 * at most once with its writer: it resolves when the body is complete (possibly ended
 * with the provider's own error frame) and rejects when the response must be cut.
 * `cancel` tells it the client left, before `pump` or during it; the producer then
 * stops and finishes its bookkeeping (a cancelled body never resolves as complete).
 * `reason`: why, when it is not the client leaving (the edge could not send the answer).
 */
export interface StreamBody {
  pump(write: ChunkWriter): Promise<void>;
  cancel(reason?: Error): void;
}

export interface UpstreamRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array | null;
  /**
   * The call's cancellation: the handler aborts it when the client leaves (a relayed body's
   * when the relay ends, once it metered what had arrived: within the event loop's turn), a
   * client's timeout aborts it too.
   */
  cancel: CallCancel;
  /** ms allowed to open the connection (where the runtime's client can tell it apart). */
  connectTimeoutMs: number;
  /** ms allowed from the request on its connection to the response headers (connecting has connectTimeoutMs; Bun's fetch client counts both here). */
  headersTimeoutMs: number;
  /** ms allowed between two body chunks. */
  bodyTimeoutMs: number;
}

export interface UpstreamResponse {
  status: number;
  headers: HeaderMap;
  /** The body chunk by chunk. Idle time between chunks is the reader's (relay's) to bound, with `bodyTimeoutMs`. */
  body: ChunkSource;
  /**
   * Reads the whole body in one call instead of iterating `body` (use one or the other).
   * For small JSON bodies: no stream machinery per chunk. Rejects like `body` would.
   */
  bytes(): Promise<Uint8Array>;
}

/** Why an upstream request failed before a response arrived. */
export type UpstreamFailure = 'unreachable' | 'timeout';

/** An error thrown by an UpstreamClient: never carries request headers (they hold the provider key). */
export class UpstreamError extends Error {
  constructor(
    readonly failure: UpstreamFailure,
    message: string,
    /** True when no byte of the request was written (the connection never opened, or TLS never verified): the provider cannot have billed it. */
    readonly neverSent = false,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

/** The runtime's HTTP client for provider calls (undici on Node, fetch on Bun). Keeps connections alive. */
export interface UpstreamClient {
  request(req: UpstreamRequest): Promise<UpstreamResponse>;
  close(): Promise<void>;
}
