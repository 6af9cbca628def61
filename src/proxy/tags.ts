import { MAX_TAG_VALUE_CHARS, TAG_KEY_RE, TAG_KEY_RULE, canonicalTagValue } from '../domain/names.js';
import { CONTROL_CHARS_RULE, describeControlChar, hasControlChar } from '../lib/control-chars.js';
import { findRepeatedKey, timesWord, topLevelKeyRepeats } from '../lib/json-repeated-key.js';
import { type Result, ok, err } from '../lib/result.js';
import { utf8Length } from '../lib/utf8-length.js';
import { tagsJsonProblem } from './tags-json-problem.js';

/**
 * Call tags (SPEC §4): the `X-Metering-Tags` request header and the fixed tags of a
 * metering key; the key and value rules live in domain/names.ts. This runs on every
 * proxied request: one JSON.parse and one loop (one regex test per string value: printable
 * ASCII needs nothing more), no allocation beyond what JSON.parse makes (values are
 * stringified, made well-formed and NFC-normalised in place), then one indexOf per tag to
 * rule out a repeated key (lib/json-repeated-key.ts).
 */

/** Tag key → tag value. Values are always strings (numbers and booleans are stringified). */
export type Tags = Record<string, string>;

/** The header name, as clients send it (HTTP header names are case-insensitive). */
export const TAGS_HEADER = 'X-Metering-Tags';
/** Most tags one header may carry. */
export const MAX_TAGS = 32;
/** Longest header value, in UTF-8 bytes. */
export const MAX_TAGS_HEADER_BYTES = 4096;

const H = TAGS_HEADER;

/** A character a runtime makes of a header byte over 0x7F (it decodes header values as Latin-1). */
const HIGH_BYTE = /[\u0080-\u00ff]/;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
/** A character no header byte becomes: the value was made in this process, not read from the wire. */
const WIDE_CHAR = /[^\u0000-\u00ff]/;
/** A character other than printable ASCII: a control character, or text canonicalTagValue may change. */
const NOT_PRINTABLE_ASCII = /[^\u0020-\u007e]/;

/**
 * A header value as the text its sender meant. HTTP carries header values as bytes, and Bun
 * and Node give JavaScript one character per byte; clients that send non-ASCII tags (curl,
 * Python requests, Go) send UTF-8, so bytes over 0x7F that form valid UTF-8 are read as
 * UTF-8 (`cafÃ©` → `café`). Bytes that are not valid UTF-8 stay the Latin-1 text they
 * were. ASCII, and JSON's `\u00e9` escapes, pass unchanged (the common case: one regex test).
 */
function utf8FromWire(header: string): string {
  // A character past U+00FF: made in this process, not read from the wire.
  if (!HIGH_BYTE.test(header) || WIDE_CHAR.test(header)) return header;
  try {
    return STRICT_UTF8.decode(Uint8Array.from(header, (c) => c.charCodeAt(0)));
  } catch {
    return header;
  }
}

/**
 * Parses an `X-Metering-Tags` header value. An absent or blank header gives `{}`.
 * On failure the error is a complete, user-facing sentence naming what is wrong;
 * it is meant for a 400 response body. Never throws.
 */
export function parseTags(header: string | undefined): Result<Tags, string> {
  if (header === undefined) return ok({});
  // Cheap bound before anything else: a byte count is never smaller than the UTF-16 length.
  if (header.length > MAX_TAGS_HEADER_BYTES) return err(tooLong(WIDE_CHAR.test(header) ? utf8Length(header) : header.length));
  // Decoded first: a wire byte over 0x7F arrives as one character, which utf8Length would count twice.
  header = utf8FromWire(header);
  if (header.length * 3 > MAX_TAGS_HEADER_BYTES) {
    const bytes = utf8Length(header);
    if (bytes > MAX_TAGS_HEADER_BYTES) return err(tooLong(bytes));
  }
  if (header.trim() === '') return ok({});

  let parsed: unknown;
  try {
    parsed = JSON.parse(header);
  } catch {
    // The error path only: the runtime's message is replaced by tokometer's own.
    return err(tagsJsonProblem(header));
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return err(`${H} must be a JSON object, got ${jsonTypeName(parsed)}`);
  }

  const tags = parsed as Record<string, unknown>;
  let count = 0;
  // JSON.parse objects have only own, enumerable, data properties, so for-in is safe here.
  for (const key in tags) {
    if (++count > MAX_TAGS) return err(`${H} has ${Object.keys(tags).length} tags (at most ${MAX_TAGS})`);
    if (!TAG_KEY_RE.test(key)) return err(`${H}: tag ${quote(key)} has an invalid key (${TAG_KEY_RULE})`);
    const value = tags[key];
    let text: string;
    if (typeof value === 'string') {
      text = value;
      if (NOT_PRINTABLE_ASCII.test(value)) {
        // They would reach the operator's terminal through reports (an escape sequence, a forged row).
        if (hasControlChar(value)) return err(`${H}: value of ${quote(key)} contains a control character (${describeControlChar(value)}); ${CONTROL_CHARS_RULE}`);
        text = canonicalTagValue(value);
        if (text !== value) setOwn(tags, key, text);
      }
    } else if (typeof value === 'number') {
      // JSON.parse turns 1e999 into Infinity.
      if (!Number.isFinite(value)) return err(`${H}: value of ${quote(key)} must be a finite number`);
      text = String(value);
      setOwn(tags, key, text);
    } else if (typeof value === 'boolean') {
      text = value ? 'true' : 'false';
      setOwn(tags, key, text);
    } else {
      return err(`${H}: value of ${quote(key)} must be a string, number or boolean, got ${jsonTypeName(value)}`);
    }
    if (text.length > MAX_TAG_VALUE_CHARS) {
      const chars = codePointLength(text);
      if (chars > MAX_TAG_VALUE_CHARS) {
        return err(`${H}: value of ${quote(key)} is ${chars} characters long (at most ${MAX_TAG_VALUE_CHARS})`);
      }
    }
  }
  // JSON.parse kept the last of a repeated key: the call would be metered under a value its sender did not mean.
  if (topLevelKeyRepeats(header, count)) return err(repeatedKey(header));
  return ok(tags as Tags);
}

/** The sentence for a header that holds a tag key more than once (the error path only). */
function repeatedKey(header: string): string {
  const repeat = findRepeatedKey(header, 1);
  const what = repeat === null ? 'a tag key appears more than once' : `tag ${quote(repeat.key)} appears ${timesWord(repeat.times)}`;
  return `${what} in ${H}; send each key once`;
}

/**
 * Combines a call's request tags with its key's fixed tags. Key tags win on conflict,
 * so a tenant's key cannot report itself as another tenant (SPEC §3). A key tag value is
 * made canonical as a request tag's is (canonicalTagValue): one stored before values were
 * NFC-normalised still meets its budget's match, and one with a lone surrogate (the admin
 * API and the config take any JSON or YAML string) could not be stored by PostgreSQL
 * otherwise. Returns a new object.
 */
export function mergeTags(requestTags: Readonly<Tags>, keyTags: Readonly<Tags>): Tags {
  const merged: Tags = {};
  for (const key in requestTags) setOwn(merged, key, requestTags[key] as string);
  for (const key in keyTags) setOwn(merged, key, canonicalTagValue(keyTags[key] as string));
  return merged;
}

// `__proto__` is a valid tag key; plain assignment would change the prototype instead.
function setOwn(target: Record<string, string | unknown>, key: string, value: string): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function tooLong(bytes: number): string {
  return `${H} is ${bytes} bytes long (at most ${MAX_TAGS_HEADER_BYTES})`;
}

function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Quotes a key for a message, shortened so a huge key cannot flood the response. */
function quote(key: string): string {
  const shown = key.length > 80 ? `${key.slice(0, 77)}...` : key;
  return JSON.stringify(shown);
}

function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    n++;
  }
  return n;
}
