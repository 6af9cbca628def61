/**
 * The little of Bun's API that tokometer's Bun edges use, declared here because the
 * Node build does not install Bun's type package. Only src/server/bun*.ts and
 * src/store/drivers/bun-sqlite.ts may touch these.
 */
declare namespace BunEdge {
  interface Server {
    readonly port: number;
    readonly hostname: string;
    readonly pendingRequests: number;
    stop(closeActiveConnections?: boolean): Promise<void> | void;
  }
  interface ServeOptions {
    hostname: string;
    port: number;
    maxRequestBodySize?: number;
    idleTimeout?: number;
    fetch(request: Request, server: Server): Response | Promise<Response>;
    error?(error: Error): Response | Promise<Response>;
  }
  interface Api {
    serve(options: ServeOptions): Server;
    readonly version: string;
  }
}
