import { parseJson } from './json.js';

/**
 * Reads a few top-level members of a large JSON object without parsing the rest: an Images
 * answer (and its stream's `*.completed` event) is megabytes of base64 (`data[].b64_json`) around the ~200 bytes of `usage` the meter
 * needs, and decoding and parsing all of it takes the event loop ~10–20 ms per 3 MB on Bun
 * (bench/README.md, "Image answers"). The scan walks the object's members, jumping over each
 * string with a native byte search for its closing quote, and parses only the values of `keys`.
 *
 * Invariants: the result holds exactly the wanted keys present in the object (the last value
 * of a key repeated, as JSON.parse keeps); a body that is not one well-formed JSON object at
 * the level the scan checks (member syntax, string ends, bracket depth) gives undefined, and the
 * caller parses it whole. Values are parsed with JSON.parse, so a picked value is exact.
 * A `counted` key whose value is an array comes back as an array of the same length whose
 * elements are holes (never parsed; the elements' separators are checked): an OCR answer's
 * pages are read only for how many there are. A counted key with another value is parsed.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const DECODER = new TextDecoder();

/** The JSON text the scan walks: UTF-8 bytes (a body) or a string (an SSE frame's data), by code unit. */
interface Text {
  readonly length: number;
  /** The code unit at `i` (a byte, or a UTF-16 unit); undefined past the end. */
  at(i: number): number | undefined;
  /** Index of the next `"` from `from`, -1 when none (a native search). */
  nextQuote(from: number): number;
  /** The text of [start, end), decoded. */
  slice(start: number, end: number): string;
}

function bytesText(bytes: Uint8Array): Text {
  return { length: bytes.length, at: (i) => bytes[i], nextQuote: (from) => bytes.indexOf(QUOTE, from), slice: (a, b) => DECODER.decode(bytes.subarray(a, b)) };
}

function stringText(text: string): Text {
  return { length: text.length, at: (i) => (i < text.length ? text.charCodeAt(i) : undefined), nextQuote: (from) => text.indexOf('"', from), slice: (a, b) => text.slice(a, b) };
}

function isSpace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

function skipSpace(t: Text, at: number): number {
  while (isSpace(t.at(at))) at++;
  return at;
}

/** Index just past the string whose opening quote is at `open`; -1 when it never ends. */
function stringEnd(t: Text, open: number): number {
  let at = open + 1;
  for (;;) {
    const q = t.nextQuote(at);
    if (q === -1) return -1;
    let slashes = 0;
    while (t.at(q - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return q + 1;
    at = q + 1;
  }
}

/** Index just past the value starting at `start` (a string, object, array or literal); -1 when malformed. */
function valueEnd(t: Text, start: number): number {
  const first = t.at(start);
  if (first === QUOTE) return stringEnd(t, start);
  if (first !== 0x7b && first !== 0x5b) {
    let at = start;
    for (let c = t.at(at); c !== undefined && c !== 0x2c && c !== 0x7d && c !== 0x5d && !isSpace(c); c = t.at(at)) at++;
    return at > start ? at : -1;
  }
  let depth = 0;
  let at = start;
  while (at < t.length) {
    const c = t.at(at)!;
    if (c === QUOTE) {
      at = stringEnd(t, at);
      if (at === -1) return -1;
      continue;
    }
    if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return at + 1;
    }
    at++;
  }
  return -1;
}

/**
 * The elements of the array whose `[` is at `open`, each walked, not parsed: their count and
 * the index just past the `]`; undefined when the elements or their commas are malformed.
 */
function countElements(t: Text, open: number): { count: number; end: number } | undefined {
  let at = skipSpace(t, open + 1);
  if (t.at(at) === 0x5d) return { count: 0, end: at + 1 };
  for (let count = 1; ; count++) {
    const end = valueEnd(t, at);
    if (end === -1) return undefined;
    at = skipSpace(t, end);
    if (t.at(at) === 0x5d) return { count, end: at + 1 };
    if (t.at(at) !== 0x2c) return undefined;
    at = skipSpace(t, at + 1);
  }
}

/** The members `keys` of the JSON object `t`, each value parsed, and `counted` counted; undefined when not walkable. */
function pick(t: Text, keys: readonly string[], counted: readonly string[]): Record<string, unknown> | undefined {
  const picked: Record<string, unknown> = {};
  let at = skipSpace(t, 0);
  if (t.at(at) !== 0x7b) return undefined;
  at = skipSpace(t, at + 1);
  if (t.at(at) === 0x7d) return skipSpace(t, at + 1) === t.length ? picked : undefined;
  for (;;) {
    if (t.at(at) !== QUOTE) return undefined;
    const keyEnd = stringEnd(t, at);
    if (keyEnd === -1) return undefined;
    const key = parseJson(t.slice(at, keyEnd));
    at = skipSpace(t, keyEnd);
    if (t.at(at) !== 0x3a || typeof key !== 'string') return undefined;
    const start = skipSpace(t, at + 1);
    if (t.at(start) === 0x5b && counted.includes(key)) {
      const array = countElements(t, start);
      if (array === undefined) return undefined;
      picked[key] = new Array<unknown>(array.count);
      at = skipSpace(t, array.end);
    } else {
      const end = valueEnd(t, start);
      if (end === -1) return undefined;
      if (keys.includes(key) || counted.includes(key)) {
        const value = parseJson(t.slice(start, end));
        if (value === undefined) return undefined;
        picked[key] = value;
      }
      at = skipSpace(t, end);
    }
    if (t.at(at) === 0x7d) return skipSpace(t, at + 1) === t.length ? picked : undefined;
    if (t.at(at) !== 0x2c) return undefined;
    at = skipSpace(t, at + 1);
  }
}

/**
 * The members `keys` of the JSON object in `bytes` (UTF-8), each value parsed, and the arrays
 * `counted` counted; undefined when `bytes` is not a JSON object the scan can walk (see the
 * module's invariants).
 */
export function pickJsonKeys(bytes: Uint8Array, keys: readonly string[], counted: readonly string[] = []): Record<string, unknown> | undefined {
  return pick(bytesText(bytes), keys, counted);
}

/** The same on JSON text (an SSE frame's data). */
export function pickJsonKeysOfText(text: string, keys: readonly string[], counted: readonly string[] = []): Record<string, unknown> | undefined {
  return pick(stringText(text), keys, counted);
}
