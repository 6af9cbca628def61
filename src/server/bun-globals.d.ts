/**
 * The little of Bun's API that tokometer's Bun edges use, declared here because the
 * Node build does not install Bun's type package. Only src/server/bun*.ts and
 * src/store/drivers/bun-sqlite.ts may touch these.
 */
declare namespace BunEdge {
  interface Server {
    readonly port: number;
    readonly hostname: string;
    /** Requests whose response has not been fully written yet (a streaming body counts until its end). */
    readonly pendingRequests: number;
    stop(closeActiveConnections?: boolean): Promise<void> | void;
    /** Replaces the idle timeout (seconds, 0 = none) of the connection carrying `request`. */
    timeout(request: Request, seconds: number): void;
  }
  interface ServeOptions {
    hostname: string;
    port: number;
    maxRequestBodySize?: number;
    /** Seconds a connection may be idle (no bytes either way), 0-255. */
    idleTimeout?: number;
    /** PEM text (or Bun.file) of the certificate chain and its key. */
    tls?: { cert: string; key: string };
    fetch(request: Request, server: Server): Response | Promise<Response>;
    error?(error: Error): Response | Promise<Response>;
  }
  /** The controller of a `type: 'direct'` ReadableStream: writes go to the destination (the connection) without a queue. */
  interface DirectController {
    /** Buffers bytes for the destination; a promise when it wants the writer to wait (backpressure). */
    write(data: Uint8Array): number | Promise<number>;
    /** Sends what was buffered. */
    flush(): number | Promise<number>;
    close(error?: Error): void;
  }
  interface Api {
    serve(options: ServeOptions): Server;
    readonly version: string;
  }
}
