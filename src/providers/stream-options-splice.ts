/**
 * Turns `stream_options.include_usage` on in a request's raw JSON bytes, leaving every other
 * byte as the client sent it: no re-serialising, so no number drift (a 64-bit `seed` such as
 * 9007199254740993 stays exact, where JSON.parse + JSON.stringify would round it), no key-order
 * or whitespace change, and no cost for large bodies beyond one scan.
 *
 * Byte offsets below are indices into the raw UTF-8 body. Only structural ASCII bytes are
 * compared, so multi-byte characters inside strings pass through untouched.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const INCLUDE_USAGE = encoder.encode('"include_usage":true');
const INCLUDE_USAGE_OBJECT = encoder.encode('{"include_usage":true}');
const TRUE = encoder.encode('true');

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

function isSpace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

/** Index of the first non-whitespace byte at or after `i` (raw.length when none). */
function skipSpace(raw: Uint8Array, i: number): number {
  while (i < raw.length && isSpace(raw[i])) i++;
  return i;
}

/** Index just past the string whose opening quote is at `i`; -1 when unterminated. */
function stringEnd(raw: Uint8Array, i: number): number {
  for (let k = i + 1; k < raw.length; k++) {
    if (raw[k] === BACKSLASH) k++;
    else if (raw[k] === QUOTE) return k + 1;
  }
  return -1;
}

/** Index just past the JSON value starting at `i` (no leading whitespace); -1 when malformed. */
function valueEnd(raw: Uint8Array, i: number): number {
  const first = raw[i];
  if (first === QUOTE) return stringEnd(raw, i);
  if (first === OPEN_OBJECT || first === OPEN_ARRAY) {
    let depth = 0;
    for (let k = i; k < raw.length; k++) {
      const b = raw[k];
      if (b === QUOTE) {
        k = stringEnd(raw, k) - 1;
        if (k < 0) return -1;
      } else if (b === OPEN_OBJECT || b === OPEN_ARRAY) depth++;
      else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
        depth--;
        if (depth === 0) return k + 1;
      }
    }
    return -1;
  }
  // A number or literal: up to the next delimiter.
  let k = i;
  while (k < raw.length && raw[k] !== COMMA && raw[k] !== CLOSE_OBJECT && raw[k] !== CLOSE_ARRAY && !isSpace(raw[k])) k++;
  return k === i ? -1 : k;
}

/** One member of an object: its key (decoded) and where its value's bytes are ([start, end)). */
interface Member {
  key: string;
  valueStart: number;
  valueEnd: number;
}

/** The members of the object whose `{` is at `open`, in order; null when malformed. */
function members(raw: Uint8Array, open: number): Member[] | null {
  const out: Member[] = [];
  let i = skipSpace(raw, open + 1);
  if (raw[i] === CLOSE_OBJECT) return out;
  for (;;) {
    if (raw[i] !== QUOTE) return null;
    const keyEnd = stringEnd(raw, i);
    if (keyEnd < 0) return null;
    const keyBytes = raw.subarray(i + 1, keyEnd - 1);
    // An escaped key ("stream\u005foptions") is read as the provider's parser reads it.
    const key = keyBytes.includes(BACKSLASH) ? (JSON.parse(decoder.decode(raw.subarray(i, keyEnd))) as string) : decoder.decode(keyBytes);
    i = skipSpace(raw, keyEnd);
    if (raw[i] !== COLON) return null;
    const valueStart = skipSpace(raw, i + 1);
    const end = valueEnd(raw, valueStart);
    if (end < 0) return null;
    out.push({ key, valueStart, valueEnd: end });
    i = skipSpace(raw, end);
    if (raw[i] === CLOSE_OBJECT) return out;
    if (raw[i] !== COMMA) return null;
    i = skipSpace(raw, i + 1);
  }
}

/** The last member named `key` (the one JSON parsers keep), or undefined. */
function lastMember(list: Member[], key: string): Member | undefined {
  for (let k = list.length - 1; k >= 0; k--) if (list[k]?.key === key) return list[k];
  return undefined;
}

/** `raw` with bytes [start, end) replaced by `insert`. */
function replace(raw: Uint8Array, start: number, end: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(raw.length - (end - start) + insert.length);
  out.set(raw.subarray(0, start));
  out.set(insert, start);
  out.set(raw.subarray(end), start + insert.length);
  return out;
}

function isNullAt(raw: Uint8Array, m: Member): boolean {
  return isLiteralAt(raw, m, 'null');
}

/** Whether member `m`'s value is exactly the literal `literal` (ASCII: `null`, `false`). */
function isLiteralAt(raw: Uint8Array, m: Member, literal: string): boolean {
  return m.valueEnd - m.valueStart === literal.length && decoder.decode(raw.subarray(m.valueStart, m.valueEnd)) === literal;
}

/**
 * The raw body with `include_usage: true` in the `stream_options` it already has (its last
 * top-level one, the one JSON parsers keep), every other byte kept:
 * - `stream_options: null`: the `null` becomes `{"include_usage":true}`;
 * - an object without `include_usage` (or with `include_usage` null or false, its last one):
 *   `"include_usage":true` becomes its first member (or replaces that `null` / `false`: a
 *   client's opt-out would leave the provider billing tokens tokometer never sees).
 * Null when the body is not an object, has no `stream_options` (openai.ts splices a whole
 * one in without scanning), `stream_options` is anything else (a string, or an
 * `include_usage` already true or not a literal: the caller leaves the first as sent), or
 * the bytes do not scan.
 */
export function spliceIntoStreamOptions(raw: Uint8Array): Uint8Array | null {
  const open = skipSpace(raw, 0);
  if (raw[open] !== OPEN_OBJECT) return null;
  const top = members(raw, open);
  if (top === null) return null;
  const options = lastMember(top, 'stream_options');
  if (options === undefined) return null;
  if (isNullAt(raw, options)) return replace(raw, options.valueStart, options.valueEnd, INCLUDE_USAGE_OBJECT);
  if (raw[options.valueStart] !== OPEN_OBJECT) return null;
  const inner = members(raw, options.valueStart);
  if (inner === null) return null;
  const existing = lastMember(inner, 'include_usage');
  if (existing !== undefined) {
    const off = isNullAt(raw, existing) || isLiteralAt(raw, existing, 'false');
    return off ? replace(raw, existing.valueStart, existing.valueEnd, TRUE) : null;
  }
  const comma = inner.length === 0 ? 0 : 1;
  const insert = new Uint8Array(INCLUDE_USAGE.length + comma);
  insert.set(INCLUDE_USAGE);
  if (comma) insert[INCLUDE_USAGE.length] = COMMA;
  return replace(raw, options.valueStart + 1, options.valueStart + 1, insert);
}
