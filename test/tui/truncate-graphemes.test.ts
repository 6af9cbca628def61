import { describe, expect, it } from 'vitest';
import { fit, truncate } from '../../src/tui/view/text.js';

/**
 * The dashboard cuts tag values, models and key names to their column with `truncate` and
 * `fit`. A terminal (and Ink, which lays the frame out) draws a grapheme cluster as one
 * glyph: ❤️ (U+2764 + variation selector 16) and 👨‍👩‍👧 (three emoji joined by U+200D)
 * and 🇯🇵 (two regional indicators) are two columns each. Cut code point by code point,
 * ❤️ counts as one column (the selector as none), so three of them "fit" in 3 columns and
 * the cell takes 7; and a cut can fall inside a ZWJ sequence or between the two halves of
 * a flag, leaving a different glyph on screen.
 */
const HEART = '\u2764\ufe0f';
const FAMILY = '\u{1f468}\u200d\u{1f469}\u200d\u{1f467}';
const JAPAN = '\u{1f1ef}\u{1f1f5}';

describe('TUI truncation by grapheme cluster', () => {
  it('counts an emoji with a variation selector as two columns', () => {
    // 4 columns: one ❤️ (2) and the ellipsis (1); a second ❤️ would make 5.
    expect(truncate(`${HEART}${HEART}${HEART}x`, 4)).toBe(`${HEART}…`);
    expect(fit(`${HEART}${HEART}${HEART}x`, 4)).toBe(`${HEART}… `);
  });

  it('never cuts inside a zero-width-joiner sequence or a flag', () => {
    expect(truncate(`${FAMILY}${FAMILY}x`, 4)).toBe(`${FAMILY}…`);
    expect(truncate(`${JAPAN}${JAPAN}x`, 4)).toBe(`${JAPAN}…`);
  });

  it('keeps a combining mark with its letter and an emoji surrogate pair whole', () => {
    // café (4 columns: the accent takes none) and the ellipsis make 5.
    expect(truncate('cafe\u0301 au lait', 5)).toBe('cafe\u0301…');
    // 🚀 is two columns; 🚀🚀 and the ellipsis would make 5 > 4.
    expect(truncate('\u{1f680}\u{1f680}\u{1f680}', 4)).toBe('\u{1f680}…');
    expect(truncate('\u{1f680}\u{1f680}\u{1f680}', 2)).toBe('…');
  });

  it('cuts CJK and ASCII as before', () => {
    expect(truncate('東京東京', 5)).toBe('東京…');
    expect(truncate('summarizer', 6)).toBe('summa…');
    expect(truncate('東京', 4)).toBe('東京');
    expect(truncate('abc', 0)).toBe('');
  });
});
