import type { IncomingCall, OutgoingResponse } from '../proxy/types.js';

export type Handler = (call: IncomingCall) => Promise<OutgoingResponse>;

/** A listening HTTP server of the runtime's cheapest kind. */
export interface RunningServer {
  /** The bound port (useful with port 0). */
  port: number;
  host: string;
  /** Stops accepting connections; resolves when in-flight requests finished or `graceMs` passed. */
  close(graceMs: number): Promise<void>;
}

export interface ServeOptions {
  host: string;
  port: number;
  handler: Handler;
  /** Called with errors the edge could not hand to the handler (never contains secrets). */
  onError: (error: unknown) => void;
}

export type StartServer = (options: ServeOptions) => Promise<RunningServer>;
