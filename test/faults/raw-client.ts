import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

/** A raw connection to the proxy: what it received, and when and whether the proxy closed it. */
export interface RawConnection {
  socket: Socket;
  /** Everything the proxy sent so far. */
  received(): string;
  /** Resolves with ms from connect to close (by either side). */
  closed: Promise<number>;
  write(text: string): void;
}

/** Opens a TCP (or TLS, trusting any certificate) connection to 127.0.0.1:port. */
export function openRaw(port: number, options: { tls?: boolean } = {}): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket: Socket = options.tls ? connectTls({ port, host: '127.0.0.1', rejectUnauthorized: false }) : connectTcp(port, '127.0.0.1');
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
    const closed = new Promise<number>((r) => socket.once('close', () => r(performance.now() - started)));
    socket.once(options.tls ? 'secureConnect' : 'connect', () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve({ socket, received: () => out, closed, write: (text) => void socket.write(text) });
    });
    socket.once('error', reject);
  });
}

/** Resolves `promise`, or rejects after `ms` saying what did not happen. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** The request head of a POST to the OpenAI chat route, with a declared body length or chunked. */
export function chatHead(secret: string, length: number | 'chunked', extra = ''): string {
  const framing = length === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${length}`;
  return `POST /proxy/openai/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${secret}\r\nContent-Type: application/json\r\n${framing}\r\n${extra}\r\n`;
}

/** One piece of a chunked body (`''` is the last-chunk marker). */
export function chunk(text: string): string {
  return text === '' ? '0\r\n\r\n' : `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
}
