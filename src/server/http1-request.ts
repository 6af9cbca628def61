import { UpstreamError, type UpstreamRequest } from '../proxy/types.js';

/**
 * The bytes of an HTTP/1.1 request for the Bun socket client: the request line, Host, the
 * call's headers, Content-Length, then the body when it is small enough to go out in the
 * same write. No runtime imports.
 */

/** Request bodies up to this size (bytes) go out in the same write as the head. */
export const ONE_WRITE_MAX_BYTES = 64 * 1024;

/** The body when it is too large to go out with the head (the caller writes it after encodeRequest's bytes), else null. */
export function bodyAfterHead(req: UpstreamRequest): Uint8Array | null {
  return req.body !== null && req.body.length > ONE_WRITE_MAX_BYTES ? req.body : null;
}

/**
 * The request's bytes: the head as Latin-1 (one byte per character: header values reach
 * here as the edge read them, a byte per character, so a client's UTF-8 `X-Title: Café`
 * goes out as the bytes it came in, as undici sends them on Node) and, up to
 * ONE_WRITE_MAX_BYTES, the body after it (a larger body is the caller's to write next:
 * `bodyAfterHead`).
 *
 * Measured, not kept (bench/README.md, "The socket client's share of the cells"): writing
 * the head byte by byte from `charCodeAt` into an array of the exact size made ~27 fewer
 * heap cells a call and ran faster in a microbenchmark, but the binary spent 3.2 µs more
 * CPU per call with it (`ab.mjs`, 10 of 12 rounds) than with this string.
 * @throws UpstreamError when a header name or value holds CR, LF or NUL (header injection),
 *   or a character past U+00FF (not a byte: fetch refuses such a header too).
 */
export function encodeRequest(req: UpstreamRequest, host: string, path: string): Uint8Array {
  let head = `${req.method} ${path} HTTP/1.1\r\nhost: ${host}\r\n`;
  for (const name in req.headers) {
    const value = req.headers[name] as string;
    if (UNSAFE.test(name) || UNSAFE.test(value)) throw new UpstreamError('unreachable', `header '${name.replace(UNSAFE_ALL, '')}' has a line break${NOT_A_BYTE.test(name) || NOT_A_BYTE.test(value) ? ' or a character that is not a byte' : ''} in its name or value`, true);
    head += `${name}: ${value}\r\n`;
  }
  const body = req.body;
  if (body !== null) head += `content-length: ${body.length}\r\n`;
  head += '\r\n';
  if (body === null || bodyAfterHead(req) !== null) return Buffer.from(head, 'latin1');
  // Latin-1: one byte per character.
  const out = Buffer.allocUnsafe(head.length + body.length);
  out.write(head, 0, 'latin1');
  out.set(body, head.length);
  return out;
}

const UNSAFE = /[\r\n\0\u0100-\uffff]/;
const UNSAFE_ALL = /[\r\n\0\u0100-\uffff]/g;
const NOT_A_BYTE = /[\u0100-\uffff]/;
