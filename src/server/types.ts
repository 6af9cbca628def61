import type { IncomingCall, OutgoingResponse } from '../proxy/types.js';

export type Handler = (call: IncomingCall) => Promise<OutgoingResponse>;

/** A listening HTTP server of the runtime's cheapest kind. */
export interface RunningServer {
  /** The bound port (useful with port 0). */
  port: number;
  host: string;
  /** 'https' when started with `tls`, else 'http'. */
  scheme: 'http' | 'https';
  /** Requests the handler has not finished answering yet (streams count until their last byte). */
  readonly inFlight: number;
  /**
   * Stops accepting connections and resolves once in-flight requests finished. Those still
   * running after `graceMs`, or when `cut` aborts first (a second Ctrl-C), are cut, and their
   * records made (within CUT_SETTLE_MS more).
   */
  close(graceMs: number, cut?: AbortSignal): Promise<void>;
}

/** PEM files for HTTPS: paths, read once when the server starts (see server/tls.ts). */
export interface TlsFiles {
  /** Certificate chain (PEM), leaf first. */
  cert: string;
  /** Private key (PEM) of the leaf certificate. */
  key: string;
}

/** ms a client may take to send its request line and headers (Node: `headersTimeout`). */
export const DEFAULT_CLIENT_HEADER_TIMEOUT_MS = 60_000;
/** ms a client may pause between two pieces of its request body before the proxy gives up. */
export const DEFAULT_CLIENT_BODY_TIMEOUT_MS = 60_000;
/** ms an idle keep-alive connection stays open between two requests. */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * ms `close` still waits, after the grace period cut the calls left running, for those
 * calls to unwind: each cut call records itself on the way out, and the write queue is
 * drained only after `close` resolves.
 */
export const CUT_SETTLE_MS = 1000;

export interface ServeOptions {
  host: string;
  port: number;
  handler: Handler;
  /** Called with errors the edge could not hand to the handler (never contains secrets). */
  onError: (error: unknown) => void;
  /**
   * ms from a connection's (or a keep-alive request's) first byte until its headers are
   * complete; slower clients get 408 and are disconnected. Default 60 000. The Bun edge
   * cannot change this: uWebSockets cuts unfinished headers after a fixed 10 s (10-14 s
   * with its timer granularity).
   */
  clientHeaderTimeoutMs?: number;
  /**
   * ms the proxy waits for the next piece of a request body (an idle timeout, not a cap
   * on the whole upload); then it answers 408, closes the connection, drops what it read
   * and forwards nothing. Default 60 000. The Bun edge times a body with a declared
   * length up to 1 MiB as a whole (one read call is cheaper than a piecewise read).
   */
  clientBodyTimeoutMs?: number;
  /**
   * ms an idle keep-alive connection stays open between two requests. Default 65 000.
   * Bun rounds up to whole seconds (at most 255) and checks every 4 s. Never applies
   * while a call is in flight: a provider that thinks for minutes is bounded by the
   * upstream timeouts only.
   */
  keepAliveTimeoutMs?: number;
  /** Serve HTTPS with these PEM files instead of plain HTTP. */
  tls?: TlsFiles;
}

export type StartServer = (options: ServeOptions) => Promise<RunningServer>;
