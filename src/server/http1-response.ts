import { isHeaderName } from '../lib/header-text.js';
import type { HeaderMap } from '../proxy/types.js';

/**
 * An HTTP/1.1 response read from a connection's bytes, as they arrive: the head (status
 * and headers), then the body framed by Content-Length, chunked transfer coding, or the
 * end of the connection (RFC 9112 §6.3). No runtime imports: the Bun socket client
 * (bun-socket-upstream.ts) feeds it, the tests feed it bytes directly.
 */

/** What a response's head says about the body that follows. */
export interface ResponseHead {
  status: number;
  /** Lower-case names; a repeated header as an array (set-cookie), as fetch's toJSON gives them. */
  headers: HeaderMap;
  /** How the body is framed. `none`: no body (HEAD, 1xx, 204, 304). */
  framing: 'none' | 'length' | 'chunked' | 'close';
  /** Body bytes when `framing` is `length`. */
  length: number;
  /** False when the server closes the connection after this response (or the body ends with it). */
  reusable: boolean;
}

/** The response bytes could not be read as HTTP/1.1. */
export class MalformedResponse extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedResponse';
  }
}

/** Longest head accepted (bytes), as most clients limit it (undici: 16 KiB by default; Bun: 64 KiB). */
export const MAX_HEAD_BYTES = 64 * 1024;

/** Index of the `\r\n\r\n` that ends a head in `buf`, searching from `from`; -1 if not there yet. */
export function headEnd(buf: Uint8Array, from: number): number {
  for (let i = Math.max(0, from); i + 3 < buf.length; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) return i;
  }
  return -1;
}

const LATIN1 = new TextDecoder('latin1');

/**
 * Parses a response head (the bytes before `\r\n\r\n`) for a request of `method`.
 * One latin1 string for the head, header lines found with indexOf; names come from
 * HEADER_NAMES (below), values are trimmed of spaces and tabs (RFC 9110 §5.5).
 * @throws MalformedResponse when the status line or a header line is not HTTP/1.x.
 */
export function parseHead(bytes: Uint8Array, method: string): ResponseHead {
  const text = LATIN1.decode(bytes);
  const statusEnd = lineEnd(text, 0);
  const statusLine = text.slice(0, statusEnd);
  if (!/^HTTP\/1\.[01] \d{3}(?: |$)/.test(statusLine)) throw new MalformedResponse(`not an HTTP/1.x status line: ${JSON.stringify(statusLine.slice(0, 40))}`);
  const http10 = statusLine.charCodeAt(7) === 0x30;
  const status = Number(statusLine.slice(9, 12));
  // What a client can be answered with (Bun's Response refuses the rest).
  if (status < 100 || status > 599) throw new MalformedResponse(`status ${status} is outside 100-599`);
  // A field value may not hold NUL (RFC 9110 §5.5); one look at the whole head.
  if (text.includes('\0')) throw new MalformedResponse('a NUL byte in the response head');
  const headers: HeaderMap = {};
  for (let start = statusEnd + 2, line = 1; start < text.length; line++) {
    const end = lineEnd(text, start);
    // A proxy may refuse a folded line with a 502 instead of unfolding it (RFC 9112 §5.2).
    if (isSpace(text.charCodeAt(start))) throw new MalformedResponse(`header line ${line} is folded onto the line before it (obs-fold)`);
    const colon = text.indexOf(':', start);
    // Whitespace before the colon is not part of the name: a proxy must remove it (RFC 9112 §5.1).
    let nameEnd = colon;
    while (nameEnd > start && isSpace(text.charCodeAt(nameEnd - 1))) nameEnd--;
    if (nameEnd <= start || colon > end) throw new MalformedResponse(`malformed header line ${line}`);
    const name = HEADER_NAMES.lowerCase(text, start, nameEnd);
    let from = colon + 1;
    let to = end;
    while (from < to && isSpace(text.charCodeAt(from))) from++;
    while (to > from && isSpace(text.charCodeAt(to - 1))) to--;
    const value = text.slice(from, to);
    const had = headers[name];
    if (had === undefined) headers[name] = value;
    else if (name === 'set-cookie') headers[name] = Array.isArray(had) ? [...had, value] : [had, value];
    else headers[name] = `${had as string}, ${value}`;
    start = end + 2;
  }
  const connection = lower(headers['connection']);
  let reusable = http10 ? connection.includes('keep-alive') : !connection.includes('close');
  const te = lower(headers['transfer-encoding']);
  let framing: ResponseHead['framing'];
  let length = 0;
  if (hasNoBody(status, method)) framing = 'none';
  else if (te !== '') {
    // Chunked must be the last coding; anything else is read to the end of the connection.
    framing = te.endsWith('chunked') ? 'chunked' : 'close';
  } else if (headers['content-length'] !== undefined) {
    framing = 'length';
    length = contentLength(headers['content-length'] as string);
  } else framing = 'close';
  if (framing === 'close') reusable = false;
  return { status, headers, framing, length, reusable };
}

/** True for responses that never have a body, whatever their headers say (RFC 9110 §6.4.1, §9.3.2): to HEAD, 1xx, 204, 304. */
export function hasNoBody(status: number, method: string): boolean {
  return method === 'HEAD' || status < 200 || status === 204 || status === 304;
}

/** Index of the CR LF that ends the line starting at `start` (the text's length for the last line). */
function lineEnd(text: string, start: number): number {
  const end = text.indexOf('\r\n', start);
  return end === -1 ? text.length : end;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9;
}

/** Bytes declared by a Content-Length value; repeated identical values ("12, 12") are one length, different ones an error. */
function contentLength(raw: string): number {
  if (DIGITS.test(raw)) return Number(raw);
  const values = new Set(raw.split(',').map((v) => v.trim()));
  const only = values.size === 1 ? [...values][0] : undefined;
  if (only === undefined || !DIGITS.test(only)) throw new MalformedResponse(`invalid Content-Length ${JSON.stringify(raw)}`);
  return Number(only);
}

const DIGITS = /^\d+$/;

/**
 * Lower-case header names without a new string per header: a head's names are nearly
 * always ones seen before, and slicing, lower-casing and then using a fresh string as a
 * property name cost ~0.4 µs a header (a 25-header OpenAI head took 10.5 µs to parse; 2.5
 * µs with this). A name is looked up by its length and three of its characters, checked
 * against the stored raw spelling in place (`startsWith`), and on a miss lower-cased and
 * stored, replacing whatever shared its slot. So the table holds at most SLOTS names and
 * a collision costs only the slow path.
 */
class HeaderNames {
  private static readonly SLOTS = 1024;
  private readonly raw: (string | undefined)[] = new Array(HeaderNames.SLOTS).fill(undefined);
  private readonly lower: string[] = new Array(HeaderNames.SLOTS).fill('');

  /** The lower-case name in `text` from `start` up to (not including) `end`; `end > start`. */
  lowerCase(text: string, start: number, end: number): string {
    const length = end - start;
    const slot = (length * 31 + text.charCodeAt(start) * 7 + text.charCodeAt(end - 1) * 13 + text.charCodeAt(start + (length >> 1))) & (HeaderNames.SLOTS - 1);
    const raw = this.raw[slot];
    if (raw !== undefined && raw.length === length && text.startsWith(raw, start)) return this.lower[slot] as string;
    // A copy, not a slice: a slice would keep the whole head it came from alive.
    const name = `_${text.slice(start, end)}`.slice(1);
    // Checked once per spelling: a name the table holds was checked when it was stored.
    if (!isHeaderName(name)) throw new MalformedResponse(`header name ${JSON.stringify(name.slice(0, 40))} is not a token`);
    const lower = name.toLowerCase();
    this.raw[slot] = name;
    this.lower[slot] = lower;
    return lower;
  }
}

const HEADER_NAMES = new HeaderNames();

function lower(value: string | string[] | undefined): string {
  return value === undefined ? '' : (Array.isArray(value) ? value.join(', ') : value).toLowerCase();
}
