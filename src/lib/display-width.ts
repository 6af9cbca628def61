import stringWidth from 'string-width';

/**
 * How many terminal columns text takes, for aligning tables: East Asian wide and
 * fullwidth characters (CJK, Hangul, kana, fullwidth forms) and emoji take two columns,
 * combining marks, variation selectors and zero-width joiners none, everything else one.
 * Measured by `string-width`, the rule Ink lays the dashboard out by, so the report's
 * tables, the TUI's own padding and Ink's layout agree on every line.
 *
 * Text is cut only between grapheme clusters (`Intl.Segmenter`, in Node 20 and Bun
 * alike): an emoji's surrogate pair, a letter and its combining accent, a ZWJ sequence
 * (👨‍👩‍👧) or a flag's two regional indicators are never split, and a cluster counts with
 * the width the terminal draws it at (❤️ is two columns, though ❤ alone is one).
 */

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Characters in `s` as a reader counts them: grapheme clusters (🚀, e + U+0301 and 👨‍👩‍👧 are one each). */
export function characterCount(s: string): number {
  let count = 0;
  for (const _ of graphemes.segment(s)) count++;
  return count;
}

/** Columns `s` takes on a terminal (no escape sequences in `s`). */
export function displayWidth(s: string): number {
  return stringWidth(s, { countAnsiEscapeCodes: true });
}

/** `s` followed by spaces up to `width` columns; unchanged when it is already as wide or wider. */
export function padEndToWidth(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

/** Spaces up to `width` columns followed by `s`; unchanged when it is already as wide or wider. */
export function padStartToWidth(s: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(s))) + s;
}

/**
 * `s` when it fits in `width` columns; else its longest prefix of whole grapheme clusters
 * that fits together with `ellipsis`, followed by it (at most `width` columns in all, ''
 * when not even the ellipsis fits).
 */
export function truncateToWidth(s: string, width: number, ellipsis = '…'): string {
  if (displayWidth(s) <= width) return s;
  const room = width - displayWidth(ellipsis);
  if (room < 0) return '';
  let out = '';
  let used = 0;
  for (const { segment } of graphemes.segment(s)) {
    const w = displayWidth(segment);
    if (used + w > room) break;
    out += segment;
    used += w;
  }
  return out + ellipsis;
}
