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
  /** A complete body, or chunks streamed as they become available. */
  body: Uint8Array | string | AsyncIterable<Uint8Array> | null;
}

export interface UpstreamRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array | null;
  signal: AbortSignal;
  /** Aborts `signal` (the handler's controller): lets a client time out without AbortSignal.any/timeout per call. */
  abort: (reason?: unknown) => void;
  /** ms allowed to open the connection (where the runtime's client can tell it apart). */
  connectTimeoutMs: number;
  /** ms allowed for connecting and receiving response headers. */
  headersTimeoutMs: number;
  /** ms allowed between two body chunks. */
  bodyTimeoutMs: number;
}

export interface UpstreamResponse {
  status: number;
  headers: HeaderMap;
  body: AsyncIterable<Uint8Array>;
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
