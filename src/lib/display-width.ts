import stringWidth from 'string-width';

/**
 * How many terminal columns text takes, for aligning tables: East Asian wide and
 * fullwidth characters (CJK, Hangul, kana, fullwidth forms) and emoji take two columns,
 * combining marks, variation selectors and zero-width joiners none, everything else one.
 * Measured by `string-width`, the rule Ink lays the dashboard out by, so the report's
 * tables, the TUI's own padding and Ink's layout agree on every line.
 */

/** Columns one code point takes on its own: 0, 1 or 2. */
export function codePointWidth(cp: number): number {
  return stringWidth(String.fromCodePoint(cp), { countAnsiEscapeCodes: true });
}

/** Columns `s` takes on a terminal (no escape sequences in `s`). */
export function displayWidth(s: string): number {
  return stringWidth(s, { countAnsiEscapeCodes: true });
}
