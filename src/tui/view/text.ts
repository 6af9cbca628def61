import { escapeControlChars } from '../../lib/control-chars.js';
import { displayWidth, padEndToWidth, padStartToWidth, truncateToWidth } from '../../lib/display-width.js';
import { localParts } from '../../report/tz.js';

/**
 * Display pieces of the dashboard: a line is a list of cells, each with an optional tone
 * that the components map to a colour (or to nothing under NO_COLOR). Widths are terminal
 * columns (lib/display-width.ts): our glyphs take one, CJK and emoji in data two. Control
 * characters (from stored tag values, models, key names) never reach the terminal raw:
 * `cell`, `truncate` and `fit` show them escaped (`\u001b`), and widths count the escaped text.
 */

export type Tone = 'accent' | 'good' | 'warn' | 'bad' | 'muted' | 'strong';

export interface Cell {
  text: string;
  tone?: Tone;
}

export type Line = Cell[];

export const cell = (raw: string, tone?: Tone): Cell => {
  const text = escapeControlChars(raw);
  return tone === undefined ? { text } : { text, tone };
};

/** Display width of `s` as cells show it: terminal columns once control characters are escaped. */
export function textWidth(s: string): number {
  return displayWidth(escapeControlChars(s));
}

/** `s` with control characters escaped, cut to `width` columns between grapheme clusters, ending in `…` when cut. */
export function truncate(raw: string, width: number): string {
  return truncateToWidth(escapeControlChars(raw), width);
}

/** Exactly `width` columns: cut, then padded on the right (or left for `align: 'right'`). */
export function fit(s: string, width: number, align: 'left' | 'right' = 'left'): string {
  const t = truncate(s, width);
  return align === 'right' ? padStartToWidth(t, width) : padEndToWidth(t, width);
}

/** Display width of a line: its cells' columns. */
export function lineWidth(line: Line): number {
  return line.reduce((sum, c) => sum + displayWidth(c.text), 0);
}

/** Cuts a whole line to `width` columns (cells after the cut are dropped). */
export function clipLine(line: Line, width: number): Line {
  const out: Line = [];
  let left = width;
  for (const c of line) {
    if (left <= 0) break;
    const n = displayWidth(c.text);
    out.push(n <= left ? c : { ...c, text: truncate(c.text, left) });
    left -= Math.min(n, left);
  }
  return out;
}

/** The line's first cells that fit `width` columns whole (the first cell always: clipLine cuts it if need be). */
export function wholeCells(line: Line, width: number): Line {
  let n = 1;
  while (n < line.length && lineWidth(line.slice(0, n + 1)) <= width) n++;
  return line.slice(0, n);
}

/**
 * A file path cut from the left to `width` columns at a separator, keeping its last parts
 * whole: `/tmp/tw/demo.db` → `…/tw/demo.db` → `…/demo.db`, then the file name cut from the
 * right (`demo…`). A URL (`scheme://…`, whose end is the least telling part) is cut from the right.
 */
export function shortenPath(raw: string, width: number): string {
  const path = escapeControlChars(raw);
  if (displayWidth(path) <= width) return path;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return truncateToWidth(path, width);
  for (const sep of path.matchAll(/[\\/]/g)) {
    const tail = '…' + path.slice(sep.index);
    if (sep.index < path.length - 1 && displayWidth(tail) <= width) return tail;
  }
  return truncateToWidth(path.slice(path.search(/[^\\/]*$/)), width);
}

/** A line made of parts, each with a rank (0 the most important). */
export interface RankedPart {
  cells: Line;
  rank: number;
}

/**
 * The parts that fit `width` columns, in their order: while the line is too wide the part
 * with the highest rank goes, whole (never the rank-0 part: clipLine cuts it if need be), so
 * no word is cut in the middle.
 */
export function dropByRank(parts: readonly RankedPart[], width: number): Line {
  const kept = [...parts];
  const total = () => kept.reduce((sum, p) => sum + lineWidth(p.cells), 0);
  while (kept.length > 1 && total() > width) {
    let worst = 0;
    for (let i = 1; i < kept.length; i++) if (kept[i]!.rank > kept[worst]!.rank) worst = i;
    if (kept[worst]!.rank === 0) break;
    kept.splice(worst, 1);
  }
  return kept.flatMap((p) => p.cells);
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `HH:MM:SS` in the zone. */
export function clockTime(ms: number, timeZone: string): string {
  const p = localParts(ms, timeZone);
  return `${pad2(p.hour)}:${pad2(p.minute)}:${pad2(p.second)}`;
}

/** `MM-DD HH:MM` in the zone. */
export function shortStamp(ms: number, timeZone: string): string {
  const p = localParts(ms, timeZone);
  return `${pad2(p.month)}-${pad2(p.day)} ${pad2(p.hour)}:${pad2(p.minute)}`;
}

/** `YYYY-MM-DD HH:MM` in the zone. */
export function longStamp(ms: number, timeZone: string): string {
  const p = localParts(ms, timeZone);
  return `${p.year}-${pad2(p.month)}-${pad2(p.day)} ${pad2(p.hour)}:${pad2(p.minute)}`;
}

const SPARKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/**
 * One glyph per value, ▁ (lowest non-zero) to █ (the maximum); zero is a space-like `·`
 * so quiet days stay visible. At most `width` glyphs: longer series keep their newest values.
 */
export function sparkline(values: readonly number[], width: number): string {
  const shown = values.slice(Math.max(0, values.length - width));
  const max = Math.max(0, ...shown);
  return shown.map((v) => (v <= 0 || max <= 0 ? '·' : SPARKS[Math.min(7, Math.floor((v / max) * 7.999))]!)).join('');
}

/** A gauge of `width` cells for a fraction (capped at 1): filled █, empty ░. */
export function gauge(fraction: number, width: number): { filled: string; empty: string } {
  const n = Math.max(0, Math.min(width, Math.round(Math.min(1, Math.max(0, fraction)) * width)));
  return { filled: '█'.repeat(n), empty: '░'.repeat(width - n) };
}
