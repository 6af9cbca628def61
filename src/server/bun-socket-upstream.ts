import { deadlinesByLength } from '../lib/deadlines.js';
import { UpstreamError, type UpstreamClient, type UpstreamRequest } from '../proxy/types.js';
import { Exchange, type Conn, type ConnectAttempt } from './bun-exchange.js';
import { encodeRequest } from './http1-request.js';

const bun = (globalThis as unknown as { Bun: BunEdge.Api }).Bun;

/** How the pool keeps idle connections (ms, except `maxIdlePerOrigin`). */
export interface PoolOptions {
  keepAliveMs: number;
  keepAliveMaxMs: number;
  keepAliveMarginMs: number;
  maxIdlePerOrigin: number;
  sweepMs: number;
}

const POOL: PoolOptions = {
  /** Kept this long when the server gives no `Keep-Alive: timeout`, as the Node edge's undici. */
  keepAliveMs: 30_000,
  /** A server's own hint is capped at this, less a margin so the server never closes first. */
  keepAliveMaxMs: 600_000,
  keepAliveMarginMs: 1_000,
  /** Idle connections kept per origin; more are closed when they come back. */
  maxIdlePerOrigin: 256,
  /** How often idle connections past their keep-alive are closed. */
  sweepMs: 5_000,
};

/** Where a URL's requests go: one pool of connections per origin. */
interface Origin {
  hostname: string;
  port: number;
  tls: boolean;
  /** The Host header. */
  host: string;
  idle: Conn[];
  /** Hands a connection back to this origin's pool (made with the origin: one per origin, not per call). */
  release: (conn: Conn, keepAliveHintMs: number | null) => void;
}

/**
 * The Bun upstream client on Bun's own TCP/TLS sockets (`Bun.connect`): HTTP/1.1 with a
 * keep-alive pool per origin, read on the event loop as bytes arrive (bun-exchange.ts).
 * Against Bun's `fetch` (the client of bun-upstream.ts), a call is answered without
 * crossing to fetch's HTTP thread and back, and a relayed body needs no ReadableStream
 * and its 256 KiB read buffer (bench/README.md, "The upstream client"). TLS verifies the
 * provider's certificate against Bun's root store and NODE_EXTRA_CA_CERTS, as fetch does.
 * Requests are never retried: a provider call is not idempotent (a retry can bill twice);
 * the client's SDK decides.
 */
export function createBunSocketUpstream(options: Partial<PoolOptions> = {}): UpstreamClient {
  const pool: PoolOptions = { ...POOL, ...options };
  const origins = new Map<string, Origin>();
  const deadlines = deadlinesByLength();
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const o of origins.values()) {
      // The pool is settled before any socket ends: ending one runs its close handler at
      // once, which takes it out of `o.idle` (dropIdle), and a list changed while it is
      // walked skipped every other connection, dropped from the pool but never closed.
      const expired = o.idle.filter((c) => c.expiresAt <= now);
      if (expired.length === 0) continue;
      o.idle = o.idle.filter((c) => c.expiresAt > now);
      for (const c of expired) c.socket.end();
    }
  }, pool.sweepMs);
  (sweep as { unref?: () => void }).unref?.();

  /** Set by close(): connections that come back afterwards are closed, not pooled (an open socket keeps the process alive). */
  let closing = false;
  const release = (origin: Origin, conn: Conn, keepAliveHint: number | null) => {
    if (closing || origin.idle.length >= pool.maxIdlePerOrigin) return conn.socket.end();
    const keepMs = keepAliveHint === null ? pool.keepAliveMs : Math.min(pool.keepAliveMaxMs, keepAliveHint - pool.keepAliveMarginMs);
    if (keepMs <= 0) return conn.socket.end();
    conn.expiresAt = performance.now() + keepMs;
    conn.exchange = null;
    origin.idle.push(conn);
  };

  return {
    async request(req: UpstreamRequest) {
      const { origin, path } = target(origins, req.url, release);
      // Before a connection is taken: a request refused here leaves the pool as it was.
      const bytes = encodeRequest(req, origin.host, path);
      const exchange = new Exchange(req, deadlines(req.headersTimeoutMs), deadlines(req.bodyTimeoutMs), origin.release);
      let conn = takeIdle(origin);
      if (!conn) {
        conn = await exchange.connecting(deadlines(req.connectTimeoutMs), (attempt) => open(origin, attempt));
        conn.onGone = () => dropIdle(origin, conn as Conn);
      }
      return exchange.send(conn, bytes);
    },
    close: async () => {
      closing = true;
      clearInterval(sweep);
      for (const o of origins.values()) for (const c of o.idle.splice(0)) c.socket.end();
    },
  };
}

/** A pooled connection that is still open and within its keep-alive, if any. */
function takeIdle(origin: Origin): Conn | undefined {
  const now = performance.now();
  for (let conn = origin.idle.pop(); conn; conn = origin.idle.pop()) {
    if (!conn.closed && conn.expiresAt > now) return conn;
    conn.socket.end();
  }
  return undefined;
}

function dropIdle(origin: Origin, conn: Conn): void {
  const i = origin.idle.indexOf(conn);
  if (i !== -1) origin.idle.splice(i, 1);
}

/**
 * Opens a connection to `origin`; rejects (with the socket error's code) when it cannot, or
 * when TLS fails to verify. The socket goes into `attempt` as soon as TCP is up, so an
 * attempt given up on (timeout, abort) can close it mid-handshake; one given up on before
 * that is closed as it opens.
 */
async function open(origin: Origin, attempt: ConnectAttempt): Promise<BunEdge.Socket<Conn>> {
  const conn = { exchange: null, closed: false, expiresAt: 0 } as unknown as Conn;
  let handshake: ((ok: boolean, error: Error | null) => void) | null = null;
  const verified = origin.tls ? new Promise<void>((resolve, reject) => (handshake = (ok, error) => (ok ? resolve() : reject(error ?? new Error('TLS handshake failed'))))) : null;
  conn.onHandshake = (ok, error) => handshake?.(ok, error);
  // Until the pool takes the connection: a socket closed mid-handshake ends the wait for it.
  conn.onGone = () => handshake?.(false, new Error('connection closed during the TLS handshake'));
  const socket = await bun.connect<Conn>({
    hostname: origin.hostname,
    port: origin.port,
    ...(origin.tls ? { tls: isIp(origin.hostname) ? true : { serverName: origin.hostname } } : {}),
    data: conn,
    socket: Exchange.HANDLERS,
  });
  conn.socket = socket;
  if (attempt.over) {
    socket.terminate();
    throw new Error('connect attempt abandoned');
  }
  attempt.socket = socket;
  if (verified) {
    try {
      await verified;
    } catch (error) {
      socket.end();
      throw error;
    }
  }
  conn.onGone = undefined;
  socket.setNoDelay?.(true);
  return socket;
}

function isIp(hostname: string): boolean {
  return /^[\d.]+$/.test(hostname) || hostname.includes(':');
}

/** The origin of `url` (cached; a new one hands its connections back through `release`) and its path with query. */
function target(origins: Map<string, Origin>, url: string, release: (origin: Origin, conn: Conn, keepAliveHint: number | null) => void): { origin: Origin; path: string } {
  const schemeEnd = url.indexOf('://');
  const pathStart = url.indexOf('/', schemeEnd + 3);
  const key = pathStart === -1 ? url : url.slice(0, pathStart);
  const path = pathStart === -1 ? '/' : url.slice(pathStart);
  let origin = origins.get(key);
  if (!origin) {
    const u = new URL(key);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UpstreamError('unreachable', `unsupported scheme ${u.protocol}`);
    const tls = u.protocol === 'https:';
    const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    const created: Origin = { hostname, port: u.port === '' ? (tls ? 443 : 80) : Number(u.port), tls, host: u.host, idle: [], release: (conn, hint) => release(created, conn, hint) };
    origins.set(key, (origin = created));
  }
  return { origin, path };
}

