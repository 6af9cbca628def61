import { utf8Length } from '../lib/utf8-length.js';
import { asciiBytes } from './frame-bytes.js';

/**
 * How much text an Anthropic `content_block_delta` frame carries, measured without decoding
 * it: for the output estimate of a stream cut before its final usage (MessagesStream), the
 * hot path of every Claude stream, so one subtraction and two byte reads a frame.
 *
 * A delta frame is a fixed envelope around one JSON string (the text, the thinking, the
 * tool input's partial JSON):
 *
 *     event: content_block_delta
 *     data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"…"}}
 *
 * Its text is the frame's length less the envelope of its delta's kind, told by the first
 * letters of the kind's name (`text_delta`, `thinking_delta`, `input_json_delta`). Any other
 * kind or layout (a `signature_delta`, a `citations_delta`, keys in another order) takes the
 * `text_delta` envelope, the shortest, so its whole payload counts.
 *
 * Approximate, and high, never low, against the decoded text's length in characters (UTF-16
 * code units, what CHARS_PER_TOKEN counts): it is the UTF-8 bytes of the text as JSON writes
 * it, so an escape (`\n`, `\"`, `\u00e9`) counts its 2 to 6 bytes for one character, a
 * non-ASCII character its 2 to 4 bytes for one or two code units, and an `index` of two or
 * more digits one byte a digit beyond the first. The estimate takes these bytes as characters.
 */

/** The data before the delta kind's name, `index` one digit. */
const KIND_PREFIX = '{"type":"content_block_delta","index":0,"delta":{"type":"';
/** Offset of the kind's name in a delta frame's data (characters, ASCII: bytes too). */
const KIND_AT = KIND_PREFIX.length;
/** The frame's bytes around its data: its `event:` line, `data: ` and the blank line that ends it (LF framing, as MessagesStream.passes requires). */
const FRAME_LINES = asciiBytes('event: content_block_delta\ndata: ').length + 2;
/** The end of the data after the text: `"}}`. */
const SUFFIX = 3;

/** Bytes of a kind's data envelope: the prefix, `KIND","KEY":"` and the suffix. */
const envelope = (kind: string, key: string): number => KIND_AT + `${kind}","${key}":"`.length + SUFFIX;
const TEXT_ENVELOPE = envelope('text_delta', 'text');
const THINKING_ENVELOPE = envelope('thinking_delta', 'thinking');
const INPUT_JSON_ENVELOPE = envelope('input_json_delta', 'partial_json');

const I = 0x69;
const T = 0x74;
const H = 0x68;

/** The data envelope of the delta whose kind's name begins with the code units `first`, `second`. */
function envelopeOf(first: number | undefined, second: number | undefined): number {
  if (first === I) return INPUT_JSON_ENVELOPE;
  return first === T && second === H ? THINKING_ENVELOPE : TEXT_ENVELOPE;
}

/** Text bytes of a `content_block_delta` frame's exact bytes (an `event:` line, one `data:` line, LF framing); 0 for a frame shorter than its envelope. */
export function deltaTextBytes(raw: Uint8Array): number {
  const at = FRAME_LINES - 2 + KIND_AT;
  return Math.max(0, raw.length - FRAME_LINES - envelopeOf(raw[at], raw[at + 1]));
}

/** Text bytes of a decoded `content_block_delta` frame's data, the same count as `deltaTextBytes` gives its bytes. */
export function deltaTextBytesOfData(data: string): number {
  return Math.max(0, utf8Length(data) - envelopeOf(data.charCodeAt(KIND_AT), data.charCodeAt(KIND_AT + 1)));
}
