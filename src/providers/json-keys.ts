import { parseJson } from './json.js';

/**
 * Reads a few top-level members of a large JSON object without parsing the rest: an Images
 * answer is megabytes of base64 (`data[].b64_json`) around the ~200 bytes of `usage` the meter
 * needs, and decoding and parsing all of it takes the event loop ~10–20 ms per 3 MB on Bun
 * (bench/README.md, "Image answers"). The scan walks the object's members, jumping over each
 * string with a native byte search for its closing quote, and parses only the values of `keys`.
 *
 * Invariants: the result holds exactly the wanted keys present in the object (the last value
 * of a key repeated, as JSON.parse keeps); a body that is not one well-formed JSON object at
 * the level the scan checks (member syntax, string ends, bracket depth) gives undefined, and the
 * caller parses it whole. Values are parsed with JSON.parse, so a picked value is exact.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const DECODER = new TextDecoder();

function isSpace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

function skipSpace(bytes: Uint8Array, at: number): number {
  while (isSpace(bytes[at])) at++;
  return at;
}

/** Index just past the string whose opening quote is at `open`; -1 when it never ends. */
function stringEnd(bytes: Uint8Array, open: number): number {
  let at = open + 1;
  for (;;) {
    const q = bytes.indexOf(QUOTE, at);
    if (q === -1) return -1;
    let slashes = 0;
    while (bytes[q - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return q + 1;
    at = q + 1;
  }
}

/** Index just past the value starting at `start` (a string, object, array or literal); -1 when malformed. */
function valueEnd(bytes: Uint8Array, start: number): number {
  const first = bytes[start];
  if (first === QUOTE) return stringEnd(bytes, start);
  if (first !== 0x7b && first !== 0x5b) {
    let at = start;
    while (at < bytes.length && bytes[at] !== 0x2c && bytes[at] !== 0x7d && bytes[at] !== 0x5d && !isSpace(bytes[at])) at++;
    return at > start ? at : -1;
  }
  let depth = 0;
  let at = start;
  while (at < bytes.length) {
    const b = bytes[at]!;
    if (b === QUOTE) {
      at = stringEnd(bytes, at);
      if (at === -1) return -1;
      continue;
    }
    if (b === 0x7b || b === 0x5b) depth++;
    else if (b === 0x7d || b === 0x5d) {
      depth--;
      if (depth === 0) return at + 1;
    }
    at++;
  }
  return -1;
}

/**
 * The members `keys` of the JSON object in `bytes` (UTF-8), each value parsed; undefined when
 * `bytes` is not a JSON object the scan can walk (see the module's invariants).
 */
export function pickJsonKeys(bytes: Uint8Array, keys: readonly string[]): Record<string, unknown> | undefined {
  const picked: Record<string, unknown> = {};
  let at = skipSpace(bytes, 0);
  if (bytes[at] !== 0x7b) return undefined;
  at = skipSpace(bytes, at + 1);
  if (bytes[at] === 0x7d) return skipSpace(bytes, at + 1) === bytes.length ? picked : undefined;
  for (;;) {
    if (bytes[at] !== QUOTE) return undefined;
    const keyEnd = stringEnd(bytes, at);
    if (keyEnd === -1) return undefined;
    const key = parseJson(DECODER.decode(bytes.subarray(at, keyEnd)));
    at = skipSpace(bytes, keyEnd);
    if (bytes[at] !== 0x3a || typeof key !== 'string') return undefined;
    const start = skipSpace(bytes, at + 1);
    const end = valueEnd(bytes, start);
    if (end === -1) return undefined;
    if (keys.includes(key)) {
      const value = parseJson(DECODER.decode(bytes.subarray(start, end)));
      if (value === undefined) return undefined;
      picked[key] = value;
    }
    at = skipSpace(bytes, end);
    if (bytes[at] === 0x7d) return skipSpace(bytes, at + 1) === bytes.length ? picked : undefined;
    if (bytes[at] !== 0x2c) return undefined;
    at = skipSpace(bytes, at + 1);
  }
}
