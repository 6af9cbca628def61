/**
 * Control characters in text that reaches a terminal: C0 (U+0000–U+001F, which includes
 * ESC, CR, LF, BEL and TAB), DEL (U+007F) and C1 (U+0080–U+009F, which includes the one-
 * character CSI and OSC). Printed raw they run escape sequences (rewrite the screen, set
 * the clipboard through OSC 52) or forge lines. Tag values refuse them (SPEC §4 rules are
 * checked with findControlChar); text shown on a terminal escapes them (escapeControlChars),
 * since stored data may predate the check. Imports nothing.
 */

// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_GLOBAL_RE = /[\u0000-\u001f\u007f-\u009f]/g;
/** A control character, or one whole SGR sequence (colour and weight, as report/format/text.ts paints). */
// eslint-disable-next-line no-control-regex
const CONTROL_OR_SGR_RE = /\u001b\[[0-9;]*m|[\u0000-\u001f\u007f-\u009f]/g;

/** The rule in words, for error messages. */
export const CONTROL_CHARS_RULE = 'control characters (U+0000-U+001F, U+007F-U+009F) are not allowed';

/** True when `s` holds a control character. One regex test: cheap enough for every tag value of every call. */
export function hasControlChar(s: string): boolean {
  return CONTROL_RE.test(s);
}

/**
 * The first control character of `s` as `U+001B at position 3` (position in UTF-16
 * units, 0-based), or null when there is none.
 */
export function describeControlChar(s: string): string | null {
  const m = CONTROL_RE.exec(s);
  if (m === null) return null;
  return `${codePoint(m[0])} at position ${m.index}`;
}

/** `s` with every control character written as a `\uXXXX` escape (ESC → `\u001b`); `s` itself when it has none. */
export function escapeControlChars(s: string): string {
  return CONTROL_RE.test(s) ? s.replace(CONTROL_GLOBAL_RE, escapeOne) : s;
}

/**
 * Like escapeControlChars, but keeps whole SGR sequences (`ESC [ … m`), for text the
 * renderer has already coloured. Only a catch-all: values from data are escaped with
 * escapeControlChars before they are painted, so an SGR from data never gets this far.
 */
export function escapeControlCharsKeepingColour(s: string): string {
  return CONTROL_RE.test(s) ? s.replace(CONTROL_OR_SGR_RE, (m) => (m.length === 1 ? escapeOne(m) : m)) : s;
}

function escapeOne(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

function codePoint(c: string): string {
  return `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}
