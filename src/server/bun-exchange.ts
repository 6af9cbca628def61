import type { Deadline, Deadlines } from '../lib/deadlines.js';
import { UpstreamError, type UpstreamRequest, type UpstreamResponse } from '../proxy/types.js';
import { ChunkedDecoder } from './chunked-decoder.js';
import { bodyAfterHead } from './http1-request.js';
import { MalformedResponse, type ResponseHead } from './http1-response.js';
import { ResponseHeadReader } from './response-head-reader.js';
import { SocketBody, SocketResponse, type BodyConnection } from './socket-body.js';

/** One pooled connection of the socket client: the socket, and the exchange it is carrying (null while idle). */
export interface Conn {
  socket: BunEdge.Socket<Conn>;
  exchange: Exchange | null;
  closed: boolean;
  /** performance.now() after which an idle connection is not reused. */
  expiresAt: number;
  /** Told once when the socket closes (the pool forgets it). */
  onGone?: () => void;
  onHandshake?: (ok: boolean, error: Error | null) => void;
}

/** A connection being opened for one exchange: its socket once TCP is up (TLS may still be verifying), and whether the exchange gave up on it. */
export interface ConnectAttempt {
  socket: BunEdge.Socket<Conn> | null;
  /** Set when the attempt settled (opened, failed, timed out or aborted): a socket that opens later is closed. */
  over: boolean;
}

/**
 * One request and its response on one connection: writes the request, reads the head and
 * then the body as the socket delivers bytes, and hands the connection back to the pool
 * when the body ended cleanly and the server keeps it open; the body's reader is a
 * SocketBody (socket-body.ts). Anything that ends the exchange early (abort, timeout, a
 * malformed response, a closed socket, a reader that gives up) closes the connection.
 */
export class Exchange implements BodyConnection {
  private conn: Conn | null = null;
  private state: 'connecting' | 'head' | 'body' | 'done' = 'connecting';
  /** Gathers the head while it arrives in pieces. */
  private readonly headReader = new ResponseHeadReader();
  private head: ResponseHead | null = null;
  private left = 0;
  private decoder: ChunkedDecoder | null = null;
  private headersDeadline: Deadline | null = null;
  private pendingWrites: Uint8Array[] = [];
  private resolveHead: ((res: UpstreamResponse) => void) | null = null;
  private rejectHead: ((error: unknown) => void) | null = null;
  private body: SocketBody | null = null;
  private readonly onAbort = () => this.fail(new UpstreamError('unreachable', 'AbortError'));

  constructor(
    private readonly req: UpstreamRequest,
    private readonly headersQueue: Deadlines,
    private readonly bodyQueue: Deadlines,
    private readonly release: (conn: Conn, keepAliveHintMs: number | null) => void,
  ) {}

  /**
   * Opens a connection with `open`, within `connectQueue`'s timeout and until the call is
   * aborted; either one ends the attempt at once and closes its socket, also mid-handshake.
   * Every failure here is before a byte of the request was written (`neverSent`).
   */
  connecting(connectQueue: Deadlines, open: (attempt: ConnectAttempt) => Promise<BunEdge.Socket<Conn>>): Promise<Conn> {
    const cancel = this.req.cancel;
    if (cancel.aborted) return Promise.reject(new UpstreamError('unreachable', 'AbortError', true));
    const attempt: ConnectAttempt = { socket: null, over: false };
    cancel.connecting = true;
    return new Promise<Conn>((resolve, reject) => {
      const settle = (): boolean => {
        if (attempt.over) return false;
        attempt.over = true;
        cancel.connecting = false;
        connectQueue.cancel(deadline);
        cancel.onAbort(null);
        return true;
      };
      const giveUp = (error: UpstreamError) => {
        if (!settle()) return;
        attempt.socket?.terminate();
        reject(error);
      };
      const deadline = connectQueue.add(() => giveUp(new UpstreamError('timeout', 'connect timeout', true)));
      cancel.onAbort(() => giveUp(new UpstreamError('unreachable', 'AbortError', true)));
      open(attempt).then(
        (socket) => {
          if (settle()) resolve(socket.data);
          else socket.terminate();
        },
        (error: unknown) => {
          const e = error as { code?: string; name?: string };
          if (settle()) reject(new UpstreamError('unreachable', e?.code ?? e?.name ?? 'connection failed', true));
        },
      );
    });
  }

  /** Writes the request (`request`: its bytes from encodeRequest) on `conn`; resolves with the response once its head has arrived. */
  send(conn: Conn, request: Uint8Array): Promise<UpstreamResponse> {
    const req = this.req;
    if (req.cancel.aborted) {
      conn.socket.terminate();
      return Promise.reject(new UpstreamError('unreachable', 'AbortError', true));
    }
    this.conn = conn;
    conn.exchange = this;
    this.state = 'head';
    req.cancel.onAbort(this.onAbort);
    this.headersDeadline = this.headersQueue.add(() => {
      this.fail(new UpstreamError('timeout', 'headers timeout'));
      req.cancel.abort(new UpstreamError('timeout', 'headers timeout'));
    });
    const promise = new Promise<UpstreamResponse>((resolve, reject) => {
      this.resolveHead = resolve;
      this.rejectHead = reject;
    });
    this.write(request);
    const rest = bodyAfterHead(req);
    if (rest !== null) this.write(rest);
    return promise;
  }

  pause(): void {
    this.conn?.socket.pause();
  }

  resume(): void {
    this.conn?.socket.resume();
  }

  abandon(reason: UpstreamError): void {
    this.fail(reason);
  }

  private write(bytes: Uint8Array): void {
    const socket = (this.conn as Conn).socket;
    if (this.pendingWrites.length > 0) {
      this.pendingWrites.push(bytes);
      return;
    }
    const n = socket.write(bytes);
    if (n < bytes.length) this.pendingWrites.push(n > 0 ? bytes.subarray(n) : bytes);
  }

  private drain(): void {
    const socket = (this.conn as Conn).socket;
    while (this.pendingWrites.length > 0) {
      const next = this.pendingWrites[0] as Uint8Array;
      const n = socket.write(next);
      if (n < next.length) {
        this.pendingWrites[0] = n > 0 ? next.subarray(n) : next;
        return;
      }
      this.pendingWrites.shift();
    }
  }

  private onData(buf: Uint8Array): void {
    try {
      if (this.state === 'head') buf = this.readHead(buf);
      if (this.state === 'body' && buf.length > 0) this.readBody(buf);
      else if (buf.length > 0) this.fail(new UpstreamError('unreachable', 'bytes after the response'), true);
    } catch (error) {
      this.fail(error instanceof MalformedResponse ? new UpstreamError('unreachable', `malformed response: ${error.message}`) : error);
    }
  }

  /** Reads head bytes (response-head-reader.ts); returns what follows the head (body bytes). */
  private readHead(chunk: Uint8Array): Uint8Array {
    const read = this.headReader.read(chunk, this.req.method);
    if (read === null) return EMPTY;
    this.startBody(read.head, read.rest.length);
    return read.rest;
  }

  /** `following`: bytes already received after the head. */
  private startBody(head: ResponseHead, following: number): void {
    this.head = head;
    this.state = 'body';
    this.headersQueue.cancel(this.headersDeadline as Deadline);
    this.left = head.length;
    if (head.framing === 'chunked') this.decoder = new ChunkedDecoder();
    const body = new SocketBody(this, this.bodyQueue);
    this.body = body;
    const resolve = this.resolveHead as (res: UpstreamResponse) => void;
    this.resolveHead = this.rejectHead = null;
    resolve(new SocketResponse(head.status, head.headers, body));
    if (head.framing === 'none' || (head.framing === 'length' && head.length === 0)) this.finish(following > 0);
  }

  private readBody(buf: Uint8Array): void {
    const head = this.head as ResponseHead;
    if (head.framing === 'length') {
      const take = Math.min(this.left, buf.length);
      (this.body as SocketBody).push(take === buf.length ? buf : buf.subarray(0, take));
      this.left -= take;
      if (this.left === 0) this.finish(take < buf.length);
    } else if (head.framing === 'chunked') {
      const decoder = this.decoder as ChunkedDecoder;
      const used = decoder.push(buf, this.body as SocketBody);
      if (decoder.done) this.finish(used < buf.length);
    } else (this.body as SocketBody).push(buf);
  }

  /** The body ended as framed; `extra`: bytes followed it (the connection is not reused). */
  private finish(extra: boolean): void {
    if (this.state === 'done') return;
    this.state = 'done';
    this.req.cancel.onAbort(null);
    const conn = this.conn as Conn;
    const head = this.head as ResponseHead;
    const body = this.body as SocketBody;
    if (head.reusable && !extra && !conn.closed && this.pendingWrites.length === 0) {
      if (body.isPaused) conn.socket.resume();
      this.release(conn, keepAliveHint(head.headers['keep-alive']));
    } else {
      conn.exchange = null;
      conn.socket.end();
    }
    this.conn = null;
    body.end();
  }

  /** Ends the exchange with `error` and closes the connection (`quiet`: only the connection, the response already ended). */
  private fail(error: unknown, quiet = false): void {
    const conn = this.conn;
    if (conn !== null) {
      conn.exchange = null;
      conn.socket.terminate();
      this.conn = null;
    }
    if (this.state === 'done' || quiet) return;
    this.state = 'done';
    this.req.cancel.onAbort(null);
    if (this.headersDeadline) this.headersQueue.cancel(this.headersDeadline);
    const reject = this.rejectHead;
    this.rejectHead = this.resolveHead = null;
    reject?.(error);
    this.body?.error(error);
  }

  private onClose(error: Error | undefined): void {
    if (this.state === 'body' && (this.head as ResponseHead).framing === 'close' && error === undefined) {
      this.finish(true);
      return;
    }
    const code = (error as { code?: string } | undefined)?.code;
    this.fail(new UpstreamError('unreachable', code ?? (this.state === 'head' ? 'ECONNRESET' : 'connection closed before the body ended')));
  }

  /** The socket handlers of every connection: each event goes to the exchange the connection carries. */
  static readonly HANDLERS: BunEdge.SocketHandlers<Conn> = {
    data: (socket, data) => {
      const exchange = socket.data.exchange;
      if (exchange !== null) exchange.onData(data);
      // Bytes on an idle connection: the server broke the protocol; do not reuse it.
      else socket.terminate();
    },
    drain: (socket) => socket.data.exchange?.drain(),
    close: (socket, error) => {
      const conn = socket.data;
      conn.closed = true;
      conn.onGone?.();
      conn.exchange?.onClose(error);
    },
    error: (socket, error) => {
      socket.data.exchange?.onClose(error);
    },
    handshake: (socket, ok, error) => socket.data.onHandshake?.(ok, error),
  };
}

const EMPTY = new Uint8Array(0);

/** The ms of a `Keep-Alive: timeout=N` header (seconds), or null. */
function keepAliveHint(value: string | string[] | undefined): number | null {
  if (value === undefined) return null;
  const m = /timeout=(\d+)/i.exec(Array.isArray(value) ? value.join(',') : value);
  return m ? Number(m[1]) * 1000 : null;
}
