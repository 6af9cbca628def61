import { isBuiltin, isTimeDimension, OTHER, TAG_KEY_RE, type RowKind, type WhereClause } from '../report/types.js';
import { filterValue } from '../report/where.js';
import { cyclable, drillTarget } from './dimensions.js';
import { LIMITS, type DashboardQuery } from './types.js';

/**
 * The dashboard's UI state and every transition, as plain data and pure functions (no Ink,
 * no React): what period, which dimension, the drill path, the `/` filters, the selected
 * row, and which overlay is open. `commandFor` turns a key press into an action; `reduce`
 * applies it; `queryOf` says what to ask the data source.
 */

/** A period the keys 1/7/3/m (or --since) select: a `--since` expression and how to name it. */
export interface RangeChoice {
  since: string;
  label: string;
}

/** Keys that pick a period. `1`, `7`, `3` are the last 1, 7 and 30 days; `m` the calendar month so far. */
export const RANGE_KEYS: Readonly<Record<string, RangeChoice>> = {
  '1': { since: '1d', label: 'last 24 hours' },
  '7': { since: '7d', label: 'last 7 days' },
  '3': { since: '30d', label: 'last 30 days' },
  m: { since: 'this-month', label: 'this month' },
};

/** One step of the drill path: the group entered, and the dimension shown before entering it. */
export interface DrillStep {
  clause: WhereClause;
  from: string;
}

export interface UiState {
  range: RangeChoice;
  dimension: string;
  drill: DrillStep[];
  filters: WhereClause[];
  /** Index of the selected table row (clamped to the rows on screen by the view). */
  selected: number;
  mode: 'normal' | 'filter' | 'help';
  /** Text typed after `/`. */
  draft: string;
  /** One-line feedback (a rejected filter), cleared by the next key. */
  message: string | null;
  /** Set by `q` / Ctrl-C; the app exits when it sees it. */
  quit: boolean;
}

export type Action =
  | { type: 'range'; range: RangeChoice }
  | { type: 'cycle'; step: 1 | -1; dimensions: readonly string[] }
  | { type: 'select'; step: number; rows: number }
  | { type: 'drill'; value: string; kind: RowKind; dimensions: readonly string[] }
  | { type: 'back' }
  | { type: 'filter-open' }
  | { type: 'filter-type'; text: string }
  | { type: 'filter-erase' }
  | { type: 'filter-submit' }
  | { type: 'filter-cancel' }
  | { type: 'help' }
  | { type: 'dimensions'; dimensions: readonly string[] }
  | { type: 'key'; input: string; key: KeyPress; facts: ViewFacts };

/** What a key press asks for: a state change, quitting, or nothing. */
export type Command = Exclude<Action, { type: 'key' }> | { type: 'quit' } | null;

/** The subset of Ink's `Key` the dashboard reads (kept here so this file needs no Ink). */
export interface KeyPress {
  upArrow: boolean;
  downArrow: boolean;
  leftArrow: boolean;
  rightArrow: boolean;
  return: boolean;
  escape: boolean;
  ctrl: boolean;
  shift: boolean;
  tab: boolean;
  backspace: boolean;
  delete: boolean;
}

/** What the screen shows right now, which some keys act on. */
export interface ViewFacts {
  dimensions: readonly string[];
  /** The table rows, in screen order: each group's value and kind (`other` is the pool past the top N, whatever its value reads). */
  rows: ReadonlyArray<{ value: string; kind: RowKind }>;
}

export function initialState(options: { since?: string; dimension?: string } = {}): UiState {
  const preset = Object.values(RANGE_KEYS).find((r) => r.since === options.since);
  const range = preset ?? (options.since === undefined ? RANGE_KEYS['3']! : { since: options.since, label: `since ${options.since}` });
  return { range, dimension: options.dimension ?? 'feature', drill: [], filters: [], selected: 0, mode: 'normal', draft: '', message: null, quit: false };
}

export function queryOf(s: UiState): DashboardQuery {
  return { since: s.range.since, dimension: s.dimension, filters: s.filters, drill: s.drill.map((d) => d.clause) };
}

export function commandFor(input: string, key: KeyPress, s: UiState, view: ViewFacts): Command {
  if (key.ctrl && input === 'c') return { type: 'quit' };
  if (s.mode === 'filter') {
    if (key.escape) return { type: 'filter-cancel' };
    if (key.return) return { type: 'filter-submit' };
    if (key.backspace || key.delete) return { type: 'filter-erase' };
    if (input !== '' && !key.ctrl && !key.tab && !isArrow(key)) return { type: 'filter-type', text: input };
    return null;
  }
  if (s.mode === 'help') return input === 'q' ? { type: 'quit' } : { type: 'help' };
  if (input === 'q') return { type: 'quit' };
  if (input === '?') return { type: 'help' };
  if (input === '/') return { type: 'filter-open' };
  const range = RANGE_KEYS[input];
  if (range) return { type: 'range', range };
  if (key.tab) return { type: 'cycle', step: key.shift ? -1 : 1, dimensions: view.dimensions };
  if (key.rightArrow) return { type: 'cycle', step: 1, dimensions: view.dimensions };
  if (key.leftArrow) return { type: 'cycle', step: -1, dimensions: view.dimensions };
  if (key.upArrow) return { type: 'select', step: -1, rows: view.rows.length };
  if (key.downArrow) return { type: 'select', step: 1, rows: view.rows.length };
  if (key.return) {
    const row = view.rows[Math.min(s.selected, view.rows.length - 1)];
    return row === undefined ? null : { type: 'drill', value: row.value, kind: row.kind, dimensions: view.dimensions };
  }
  if (key.backspace || key.delete) return { type: 'back' };
  return null;
}

/**
 * Applies an action. A `key` action is mapped by `commandFor` against this very state (not
 * the state of the render that subscribed the key handler), so fast typing never acts on
 * a stale screen.
 */
export function reduce(s: UiState, a: Action): UiState {
  const t = { ...s, message: null };
  switch (a.type) {
    case 'key': {
      const c = commandFor(a.input, a.key, s, a.facts);
      if (c === null) return s;
      return c.type === 'quit' ? { ...s, quit: true } : reduce(s, c);
    }
    case 'range':
      return { ...t, range: a.range };
    case 'cycle': {
      const ring = cyclable(a.dimensions, s.drill.map((d) => d.clause.key));
      if (ring.length === 0) return t;
      const at = ring.indexOf(s.dimension);
      const next = at === -1 ? ring[0]! : ring[(at + a.step + ring.length) % ring.length]!;
      return { ...t, dimension: next, selected: 0 };
    }
    case 'select':
      return { ...t, selected: Math.max(0, Math.min(a.rows - 1, s.selected + a.step)) };
    case 'drill': {
      // The pool is the sum of the groups past the top N, not a value a filter can name (a tag value that reads (other) is).
      if (a.kind === 'other') return { ...t, message: `${OTHER} sums the groups past the top ${LIMITS.groups}: drill into a named row, or filter with / (k!=v).` };
      const drilled = [...s.drill.map((d) => d.clause.key), s.dimension];
      const next = drillTarget(a.dimensions, drilled);
      if (next === undefined) return { ...t, message: 'Nothing left to drill into.' };
      return { ...t, drill: [...s.drill, { clause: { key: s.dimension, op: '=', value: a.value }, from: s.dimension }], dimension: next, selected: 0 };
    }
    case 'back': {
      const last = s.drill[s.drill.length - 1];
      return last === undefined ? t : { ...t, drill: s.drill.slice(0, -1), dimension: last.from, selected: 0 };
    }
    case 'filter-open':
      return { ...t, mode: 'filter', draft: '' };
    case 'filter-type': {
      // A fast typist or a paste can deliver `k=v⏎` as one chunk: type what precedes the newline, then apply.
      const [typed, ...after] = a.text.split(/[\r\n]/);
      const next = { ...t, draft: s.draft + typed };
      return after.length > 0 ? submitFilter(next) : next;
    }
    case 'filter-erase':
      return { ...t, draft: s.draft.slice(0, -1) };
    case 'filter-cancel':
      return { ...t, mode: 'normal', draft: '' };
    case 'filter-submit':
      return submitFilter(t);
    case 'help':
      return { ...t, mode: s.mode === 'help' ? 'normal' : 'help' };
    case 'dimensions': {
      // The data says which dimensions exist; a dimension that does not (no `feature` tag yet) gives way to the first one.
      const ring = cyclable(a.dimensions, s.drill.map((d) => d.clause.key));
      return ring.length === 0 || ring.includes(s.dimension) ? s : { ...s, dimension: ring[0]!, selected: 0 };
    }
  }
}

/**
 * `/` then `k=v` (or `k!=v`) adds a filter; a bare `/` then Enter clears them all; a key
 * that is already filtered is replaced. Time dimensions cannot be filtered (use 1/7/3/m).
 */
function submitFilter(s: UiState): UiState {
  const text = s.draft.trim();
  const closed = { ...s, mode: 'normal' as const, draft: '' };
  if (text === '') return { ...closed, filters: [], selected: 0 };
  const clause = parseFilter(text);
  if (typeof clause === 'string') return { ...closed, message: clause };
  return { ...closed, filters: [...s.filters.filter((f) => f.key !== clause.key), clause], selected: 0 };
}

/** `k=v` / `k!=v` → a clause, or the reason it is not one. */
export function parseFilter(text: string): WhereClause | string {
  const m = /^([^=!]+)(!=|=)(.+)$/.exec(text);
  if (!m) return `Filter "${text}" must look like key=value or key!=value.`;
  const key = m[1]!.trim();
  if (isTimeDimension(key)) return `Cannot filter on ${key}: pick the period with 1, 7, 3 or m.`;
  if (!isBuiltin(key) && !TAG_KEY_RE.test(key)) return `"${key}" is not a tag key or model, provider, key, endpoint.`;
  return { key, op: m[2] as '=' | '!=', value: filterValue(m[3]!.trim()) };
}

function isArrow(k: KeyPress): boolean {
  return k.upArrow || k.downArrow || k.leftArrow || k.rightArrow;
}
