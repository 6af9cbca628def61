import { type Document, type LineCounter, isAlias, isMap, isScalar, isSeq } from 'yaml';
import { characterCount } from '../lib/display-width.js';

/**
 * Config problems and where they are in the YAML source. Every message tokometer
 * prints about a config file goes through `formatProblems`, so each one reads
 * `file:line:column: field.path: what is wrong` (line and column 1-based, the column in
 * characters as an editor shows them: positionOf).
 */

/** A path into the config, as zod reports it: map keys as strings, list indexes as numbers. */
export type FieldPath = readonly (string | number)[];

export interface Problem {
  /** Field the problem is about; [] for the document itself. */
  path: FieldPath;
  message: string;
  /** Exact source offset (UTF-16 index) when known, e.g. for YAML syntax errors. */
  offset?: number;
  /** Point at the map key of `path` rather than its value (unknown or invalid keys). */
  onKey?: boolean;
}

/** The parsed source a problem is located in. */
export interface Source {
  /** File name as shown to the user. */
  file: string;
  /** The text parsed (a byte order mark included): what `doc` ranges and YAML error offsets index, in UTF-16 units. */
  text: string;
  doc: Document;
  lineCounter: LineCounter;
}

/** At most this many problems are listed in one error. */
const MAX_LISTED = 20;

/** Renders problems one per line, in source order. */
export function formatProblems(problems: readonly Problem[], src: Source): string {
  const located = problems.map((p) => ({ p, offset: p.offset ?? locate(src.doc, p.path, p.onKey ?? false) }));
  located.sort((a, b) => a.offset - b.offset);
  const lines = located.slice(0, MAX_LISTED).map(({ p, offset }) => {
    const { line, col } = positionOf(src, offset);
    const field = formatPath(p.path);
    return `${src.file}:${line}:${col}: ${field ? `${field}: ` : ''}${p.message}`;
  });
  if (located.length > MAX_LISTED) lines.push(`... and ${located.length - MAX_LISTED} more problems`);
  return lines.join('\n');
}

/**
 * 1-based line and column of the UTF-16 `offset` in `src`, as a human counts them in an
 * editor. The yaml package's linePos counts the column in UTF-16 units from the line's
 * start: an emoji before the problem counted two, a letter with a combining accent two,
 * and the byte order mark some Windows editors write first one (it is invisible). Here the
 * column counts characters (grapheme clusters) and a leading byte order mark none.
 */
export function positionOf(src: Pick<Source, 'text' | 'lineCounter'>, offset: number): { line: number; col: number } {
  const { line, col } = src.lineCounter.linePos(offset);
  const lineStart = offset - (col - 1);
  const before = src.text.slice(lineStart, offset);
  return { line, col: characterCount(lineStart === 0 ? before.replace(/^\uFEFF/, '') : before) + 1 };
}

/** `keys.summarizer.budget.limit_usd`, `budgets[0].per`, `prices["claude-3.5-sonnet"].input`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/**
 * Source offset of `path` in `doc`: its value node (or its key with `onKey`, or when the
 * value is empty). When the path does not exist (a missing field), the key of the
 * nearest existing parent, else that parent's own start. Aliases are followed.
 */
export function locate(doc: Document, path: FieldPath, onKey: boolean): number {
  let node: unknown = doc.contents;
  let keyNode: unknown = null;
  let complete = true;
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(seg));
      if (!pair) {
        complete = false;
        break;
      }
      keyNode = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      keyNode = null;
      node = node.items[seg];
    } else {
      complete = false;
      break;
    }
  }
  // An empty value (`budget:`) has a zero-width node after the colon: point at the key.
  const empty = isScalar(node) && node.value === null;
  const first = complete && !onKey && !empty ? [node, keyNode] : [keyNode, node];
  for (const candidate of first) {
    const start = startOf(candidate);
    if (start !== undefined) return start;
  }
  return startOf(doc.contents) ?? 0;
}

/** Path of the map key that starts at source `offset` (e.g. a duplicate key), if any. */
export function pathOfKeyAt(doc: Document, offset: number): FieldPath | undefined {
  const search = (node: unknown, path: FieldPath): FieldPath | undefined => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const here = [...path, keyText(pair.key)];
        if (startOf(pair.key) === offset) return here;
        const found = search(pair.value, here);
        if (found) return found;
      }
    } else if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) {
        const found = search(node.items[i], [...path, i]);
        if (found) return found;
      }
    }
    return undefined;
  };
  return search(doc.contents, []);
}

/** A map key as text (`1:` and `"1":` both give "1"). */
export function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

function startOf(node: unknown): number | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as { range?: [number, number, number] | null }).range;
    return range?.[0];
  }
  return undefined;
}
