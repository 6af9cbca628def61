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
 * The request's bytes: the head as UTF-8 and, up to ONE_WRITE_MAX_BYTES, the body after
 * it (a larger body is the caller's to write next: `bodyAfterHead`).
 *
 * Measured, not kept (bench/README.md, "The socket client's share of the cells"): writing
 * the head byte by byte from `charCodeAt` into an array of the exact size made ~27 fewer
 * heap cells a call and ran faster in a microbenchmark, but the binary spent 3.2 µs more
 * CPU per call with it (`ab.mjs`, 10 of 12 rounds) than with this string.
 * @throws UpstreamError when a header name or value holds CR, LF or NUL (header injection).
 */
export function encodeRequest(req: UpstreamRequest, host: string, path: string): Uint8Array {
  let head = `${req.method} ${path} HTTP/1.1\r\nhost: ${host}\r\n`;
  for (const name in req.headers) {
    const value = req.headers[name] as string;
    if (UNSAFE.test(name) || UNSAFE.test(value)) throw new UpstreamError('unreachable', `header '${name.replace(UNSAFE_ALL, '')}' has a line break in its name or value`, true);
    head += `${name}: ${value}\r\n`;
  }
  const body = req.body;
  if (body !== null) head += `content-length: ${body.length}\r\n`;
  head += '\r\n';
  if (body === null || bodyAfterHead(req) !== null) return ENCODER.encode(head);
  const headBytes = Buffer.byteLength(head);
  const out = new Uint8Array(headBytes + body.length);
  ENCODER.encodeInto(head, out);
  out.set(body, headBytes);
  return out;
}

const UNSAFE = /[\r\n\0]/;
const UNSAFE_ALL = /[\r\n\0]/g;
const ENCODER = new TextEncoder();
