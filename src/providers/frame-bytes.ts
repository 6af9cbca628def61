/**
 * Byte-level looks at one SSE frame (its exact bytes, as the framer hands them out), for
 * the stream accumulators' cheap pre-checks: they let a frame that carries nothing the
 * accumulator needs pass without being decoded to text (a string, its `data` slice and a
 * frame object per chunk saved). Conservative: "may" answers true whenever unsure.
 * ASCII only: the keys looked for are ASCII, and a UTF-8 multi-byte sequence never holds
 * an ASCII byte, so a match in bytes is a match in the decoded text.
 */

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const COLON = 0x3a;

/** ASCII text as bytes (one byte per character; for constants). */
export function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

const DATA_OBJECT = asciiBytes('data: {');
const EVENT = asciiBytes('event: ');
const NULL = asciiBytes('null');
/** `"usage"` as bytes: the key of the usage object in OpenAI-shaped chunks (OpenAI, Mistral), for mayCarryKey. */
export const USAGE_KEY = asciiBytes('"usage"');

/** True when `bytes` holds `at` starting at offset `i`. */
function holdsAt(bytes: Uint8Array, at: Uint8Array, i: number): boolean {
  if (i + at.length > bytes.length) return false;
  for (let k = 0; k < at.length; k++) if (bytes[i + k] !== at[k]) return false;
  return true;
}

/** True when the frame's bytes begin with `prefix`. */
export function startsWithBytes(raw: Uint8Array, prefix: Uint8Array): boolean {
  return holdsAt(raw, prefix, 0);
}

/**
 * True when the frame is one `data: {…}` line and nothing else: its data is a JSON object
 * (so never an end marker such as `[DONE]`) and it has no `event:` or second line.
 */
export function isOneJsonDataLine(raw: Uint8Array): boolean {
  return isJsonDataLineAt(raw, 0);
}

/** True when `raw` holds one `data: {…}` line from `at` to its end, ended by LF LF. */
function isJsonDataLineAt(raw: Uint8Array, at: number): boolean {
  if (!holdsAt(raw, DATA_OBJECT, at)) return false;
  const lf = raw.indexOf(LF, at);
  return lf === raw.length - 2 && raw[lf + 1] === LF;
}

/**
 * True when the frame is an `event: NAME` line then one `data: {…}` line and nothing else,
 * and NAME is not empty and does not start with `prefix` (as bytes). The line must end at
 * its LF: a CR before it would end the line there (what follows is another line, maybe a
 * second `event:`), and an empty name leaves the event to the data's own `type`.
 */
export function isJsonEventNotStartingWith(raw: Uint8Array, prefix: Uint8Array): boolean {
  if (!holdsAt(raw, EVENT, 0) || holdsAt(raw, prefix, EVENT.length)) return false;
  const lf = raw.indexOf(LF, EVENT.length);
  if (lf <= EVENT.length || raw.lastIndexOf(CR, lf) >= EVENT.length) return false;
  return isJsonDataLineAt(raw, lf + 1);
}

/**
 * True when the frame is the line `event: NAME` (exactly `name`, ended by LF) then one
 * `data: {…}` line and nothing else: an event of that name whose data a decoder never needs
 * to see (a partial image, megabytes of base64).
 */
export function isJsonEventNamed(raw: Uint8Array, name: Uint8Array): boolean {
  if (!holdsAt(raw, EVENT, 0) || !holdsAt(raw, name, EVENT.length)) return false;
  const lf = EVENT.length + name.length;
  return raw[lf] === LF && isJsonDataLineAt(raw, lf + 1);
}

/**
 * True when some `key` (quoted, e.g. `"usage"`, as bytes) in the frame is not followed by
 * `null` — the bytes version of "this chunk may carry a usage or a finish reason".
 */
export function mayCarryKey(raw: Uint8Array, key: Uint8Array): boolean {
  // Look for the key's second byte (the first after its quote): rarer than the quote itself.
  const second = key[1] as number;
  let i = raw.indexOf(second, 1);
  while (i !== -1) {
    if (raw[i - 1] === key[0] && holdsAt(raw, key, i - 1)) {
      let j = i - 1 + key.length;
      while (j < raw.length && (raw[j] === SPACE || raw[j] === COLON || raw[j] === TAB)) j++;
      if (!holdsAt(raw, NULL, j)) return true;
    }
    i = raw.indexOf(second, i + 1);
  }
  return false;
}
