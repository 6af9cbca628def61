/**
 * Repeated keys in JSON text. JSON.parse keeps the last value of a key an object holds twice,
 * without a word (RFC 8259 §4 leaves it to the reader), so `{"feature":"a","feature":"b"}`
 * reads as feature b: a sender that built its JSON wrong would have its spend, tag or cap taken
 * from a value it did not mean. These functions take text JSON.parse has already accepted
 * (they do not check syntax) and compare keys as JSON.parse does, escapes read
 * (`"fe\u0061ture"` is `"feature"`). Imports nothing.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

/** A key an object of the text holds more than once. */
export interface RepeatedKey {
  /** The keys (and array indexes, as text) from the top-level value to that object; [] for the top-level object itself. */
  path: string[];
  /** The key, as JSON.parse reads it (escapes decoded). */
  key: string;
  /** How many times that object holds it: 2 or more. */
  times: number;
}

/**
 * True when the top-level object of `text` (JSON.parse accepted it and made an object with
 * `distinctKeys` own keys) holds a key more than once. Cheap enough for every request: with no
 * colon inside a string (`"at":"12:30"`, a key `org:team`), one native indexOf per member and
 * no allocation; otherwise one pass over the text, still without allocating.
 */
export function topLevelKeyRepeats(text: string, distinctKeys: number): boolean {
  // Every member has a colon at depth 1 outside strings, so colons anywhere bound the members from above.
  let colons = 0;
  for (let i = text.indexOf(':'); i !== -1; i = text.indexOf(':', i + 1)) {
    if (++colons > distinctKeys) return topLevelMembers(text) > distinctKeys;
  }
  return false;
}

/** Members of the top-level object of `text`: its colons at depth 1 outside strings. */
function topLevelMembers(text: string): number {
  let members = 0;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = stringEnd(text, i);
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
    else if (c === COLON && depth === 1) members++;
  }
  return members;
}

/** Index of the quote closing the string that opens at `start` (native indexOf over the string's text). */
function stringEnd(text: string, start: number): number {
  let q = text.indexOf('"', start + 1);
  while (q !== -1 && escaped(text, q)) q = text.indexOf('"', q + 1);
  return q === -1 ? text.length : q;
}

/** True when the character at `at` follows an odd run of backslashes. */
function escaped(text: string, at: number): boolean {
  let run = 0;
  while (text.charCodeAt(at - 1 - run) === BACKSLASH) run++;
  return (run & 1) === 1;
}

/** An object or array being read: its path from the top, and where it stands. */
interface Frame {
  path: string[];
  /** Key → times seen; null for an array, or an object deeper than the search looks. */
  keys: Map<string, number> | null;
  isObject: boolean;
  /** The next string read is a key (an object, after `{` or `,`). */
  expectKey: boolean;
  /** The current member's key (object) or item index (array), as text. */
  current: string;
  index: number;
}

/**
 * The first object of `text` (valid JSON, as JSON.parse accepted it) to close holding a key
 * more than once, and that key (the first of its repeated keys in the order written); null
 * when no object repeats a key. `maxDepth` 1 looks at the top-level object only. For error
 * paths: it allocates a Map per object looked at.
 */
export function findRepeatedKey(text: string, maxDepth = Infinity): RepeatedKey | null {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (top?.expectKey) {
        const raw = text.slice(i, end + 1);
        top.current = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        top.keys?.set(top.current, (top.keys.get(top.current) ?? 0) + 1);
        top.expectKey = false;
      }
      i = end;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const isObject = c === OPEN_BRACE;
      const path = top === undefined ? [] : [...top.path, top.current];
      const looked = isObject && stack.length < maxDepth;
      stack.push({ path, keys: looked ? new Map() : null, isObject, expectKey: isObject, current: '0', index: 0 });
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      stack.pop();
      const repeat = top?.keys ? firstRepeat(top.keys) : undefined;
      if (top && repeat) return { path: top.path, key: repeat[0], times: repeat[1] };
    } else if (c === COMMA && top !== undefined) {
      if (top.isObject) top.expectKey = true;
      else top.current = String(++top.index);
    }
  }
  return null;
}

function firstRepeat(keys: Map<string, number>): [string, number] | undefined {
  for (const entry of keys) if (entry[1] > 1) return entry;
  return undefined;
}

/** "twice", "3 times": how often a key appears, for messages. */
export function timesWord(times: number): string {
  return times === 2 ? 'twice' : `${times} times`;
}
