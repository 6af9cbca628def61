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
    /** Bun's development mode (default: true unless NODE_ENV is production when the server starts): prints the errors of rejected stream pulls, with their source lines. */
    development?: boolean;
    /** SO_REUSEPORT on the listening socket (Bun 1.4.5: on by default outside development mode): another process may then listen on the same port. */
    reusePort?: boolean;
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
  /** A TCP or TLS client socket of `Bun.connect`; `data` is what the caller attached. */
  interface Socket<T> {
    data: T;
    /** Bytes written now (the rest is the caller's to write again on `drain`), or -1 when closed. */
    write(data: string | Uint8Array): number;
    /** Closes after what is written (FIN). */
    end(): void;
    /** Closes at once. */
    terminate(): void;
    pause(): void;
    resume(): void;
    setNoDelay?(noDelay: boolean): boolean;
  }
  /** Called on the event loop for every socket of one `Bun.connect`. */
  interface SocketHandlers<T> {
    data(socket: Socket<T>, data: Uint8Array): void;
    drain(socket: Socket<T>): void;
    close(socket: Socket<T>, error?: Error): void;
    error(socket: Socket<T>, error: Error): void;
    /** TLS only: whether the peer's certificate verified, and why not. */
    handshake(socket: Socket<T>, success: boolean, authorizationError: Error | null): void;
  }
  interface ConnectOptions<T> {
    hostname: string;
    port: number;
    /** true, or options such as the SNI server name: the certificate is verified against Bun's root store. */
    tls?: true | { serverName: string };
    data: T;
    socket: SocketHandlers<T>;
  }
  interface Api {
    serve(options: ServeOptions): Server;
    /** Resolves once connected (TLS: before the handshake has verified, see `handshake`). */
    connect<T>(options: ConnectOptions<T>): Promise<Socket<T>>;
    readonly version: string;
  }
}
