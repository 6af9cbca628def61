import { describe, expect, it } from 'vitest';
import { cyclable, drillTarget, orderDimensions } from '../../src/tui/dimensions.js';
import { allocate, layoutFor, MIN_SIZE } from '../../src/tui/layout.js';
import { projectMonth } from '../../src/tui/projection.js';
import { commandFor, initialState, parseFilter, queryOf, reduce, type KeyPress, type UiState } from '../../src/tui/state.js';
import { gauge, sparkline, truncate } from '../../src/tui/view/text.js';

const NO_KEY: KeyPress = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false };
const key = (k: Partial<KeyPress>): KeyPress => ({ ...NO_KEY, ...k });
const DIMS = orderDimensions(['user_id', 'tenant_id', 'feature', 'user_tier', 'model']);
const view = { dimensions: DIMS, rows: ['summarizer', 'chatbot', 'autocomplete'].map((value) => ({ value, kind: 'group' as const })) };

/** Applies key presses one after another. */
function press(s: UiState, ...keys: Array<[string, Partial<KeyPress>?]>): UiState {
  for (const [input, k] of keys) {
    const c = commandFor(input, key(k ?? {}), s, view);
    if (c && c.type !== 'quit') s = reduce(s, c);
  }
  return s;
}

describe('dimensions', () => {
  it('lists preferred tags first, other tags alphabetically (a tag named like a built-in as tag:NAME), then model, provider, key', () => {
    expect(DIMS).toEqual(['feature', 'user_tier', 'tenant_id', 'tag:model', 'user_id', 'model', 'provider', 'key']);
  });
  it('drills into model first, then the first dimension not drilled yet', () => {
    expect(drillTarget(DIMS, ['feature'])).toBe('model');
    expect(drillTarget(DIMS, ['feature', 'model'])).toBe('user_tier');
    expect(drillTarget(['model'], ['model'])).toBeUndefined();
    expect(cyclable(DIMS, ['feature', 'model'])).toEqual(['user_tier', 'tenant_id', 'tag:model', 'user_id', 'provider', 'key']);
  });
});

describe('ui state', () => {
  it('starts on 30 days by feature, or on the --since given', () => {
    expect(queryOf(initialState())).toEqual({ since: '30d', dimension: 'feature', filters: [], drill: [] });
    expect(initialState({ since: '7d' }).range.label).toBe('last 7 days');
    expect(initialState({ since: '2026-11-01' }).range).toEqual({ since: '2026-11-01', label: 'since 2026-11-01' });
  });

  it('cycles dimensions with Tab, → and ←, wrapping around', () => {
    const s = initialState();
    expect(press(s, ['', { tab: true }]).dimension).toBe('user_tier');
    expect(press(s, ['', { rightArrow: true }], ['', { rightArrow: true }]).dimension).toBe('tenant_id');
    expect(press(s, ['', { leftArrow: true }]).dimension).toBe('key');
    expect(press(s, ['', { tab: true, shift: true }]).dimension).toBe('key');
  });

  it('selects rows with ↑/↓ within the rows there are', () => {
    const s = initialState();
    expect(press(s, ['', { downArrow: true }], ['', { downArrow: true }], ['', { downArrow: true }]).selected).toBe(2);
    expect(press(s, ['', { upArrow: true }]).selected).toBe(0);
  });

  it('drills down with Enter (feature=chatbot by model, then by user_tier) and back with Backspace', () => {
    let s = press(initialState(), ['', { downArrow: true }], ['', { return: true }]);
    expect(queryOf(s)).toMatchObject({ dimension: 'model', drill: [{ key: 'feature', op: '=', value: 'chatbot' }] });
    expect(s.selected).toBe(0);
    s = press(s, ['', { return: true }]);
    expect(queryOf(s).dimension).toBe('user_tier');
    expect(queryOf(s).drill.map((d) => `${d.key}=${d.value}`)).toEqual(['feature=chatbot', 'model=summarizer']);
    s = press(s, ['', { delete: true }]);
    expect(queryOf(s)).toMatchObject({ dimension: 'model', drill: [{ key: 'feature', value: 'chatbot' }] });
    s = press(s, ['', { backspace: true }]);
    expect(queryOf(s)).toMatchObject({ dimension: 'feature', drill: [] });
    expect(press(s, ['', { backspace: true }])).toMatchObject({ dimension: 'feature', drill: [] });
  });

  it('picks periods with 1, 7, 3 and m', () => {
    const s = initialState();
    expect(press(s, ['1']).range.since).toBe('1d');
    expect(press(s, ['7']).range.since).toBe('7d');
    expect(press(s, ['7'], ['3']).range.since).toBe('30d');
    expect(press(s, ['m']).range).toEqual({ since: 'this-month', label: 'this month' });
  });

  it('filters with / k=v, replaces a filter on the same key, clears with an empty filter', () => {
    let s = press(initialState(), ['/'], ['user_tier=free'], ['', { return: true }]);
    expect(s.filters).toEqual([{ key: 'user_tier', op: '=', value: 'free' }]);
    expect(s.mode).toBe('normal');
    s = press(s, ['/'], ['user_tier'], ['!=pro'], ['x'], ['', { delete: true }], ['', { return: true }]);
    expect(s.filters).toEqual([{ key: 'user_tier', op: '!=', value: 'pro' }]);
    s = press(s, ['/'], ['q'], ['', { escape: true }]);
    expect(s.filters).toHaveLength(1);
    expect(s.mode).toBe('normal');
    s = press(s, ['/'], ['', { return: true }]);
    expect(s.filters).toEqual([]);
  });

  it('keeps typing q into a filter, but quits on q otherwise and on Ctrl-C always', () => {
    const filtering = press(initialState(), ['/']);
    expect(commandFor('q', NO_KEY, filtering, view)).toEqual({ type: 'filter-type', text: 'q' });
    expect(commandFor('c', key({ ctrl: true }), filtering, view)).toEqual({ type: 'quit' });
    expect(commandFor('q', NO_KEY, initialState(), view)).toEqual({ type: 'quit' });
  });

  it('rejects malformed filters with a message', () => {
    const s = press(initialState(), ['/'], ['nonsense'], ['', { return: true }]);
    expect(s.filters).toEqual([]);
    expect(s.message).toMatch(/key=value/);
    expect(parseFilter('day=2026-11-01')).toMatch(/period/);
    expect(parseFilter('model=gpt-4o')).toEqual({ key: 'model', op: '=', value: 'gpt-4o' });
  });

  it('filters on the empty tag value with "" (the group the table labels ""), as report --where does', () => {
    expect(parseFilter('feature=""')).toEqual({ key: 'feature', op: '=', value: '' });
    expect(parseFilter('feature != ""')).toEqual({ key: 'feature', op: '!=', value: '' });
    expect(parseFilter('feature=(none)')).toEqual({ key: 'feature', op: '=', value: '(none)' });
  });

  it('maps keys inside the reducer against the current state: q and Ctrl-C set quit, a pasted k=v⏎ applies', () => {
    const facts = view;
    const k = (input: string, kp: Partial<KeyPress> = {}) => ({ type: 'key' as const, input, key: key(kp), facts });
    expect(reduce(initialState(), k('q')).quit).toBe(true);
    expect(reduce(initialState(), k('c', { ctrl: true })).quit).toBe(true);
    let s = reduce(initialState(), k('/'));
    s = reduce(s, k('feature=chatbot\r'));
    expect(s).toMatchObject({ mode: 'normal', filters: [{ key: 'feature', op: '=', value: 'chatbot' }], quit: false });
    // Two Tabs before any re-render still move two steps: each applies to the state the previous one left.
    s = reduce(reduce(initialState(), k('', { tab: true })), k('', { tab: true }));
    expect(s.dimension).toBe('tenant_id');
  });

  it('toggles help with ? and closes it with any key', () => {
    const s = press(initialState(), ['?']);
    expect(s.mode).toBe('help');
    expect(press(s, ['x']).mode).toBe('normal');
  });

  it('falls back to the first dimension when the data has no such tag', () => {
    expect(reduce(initialState(), { type: 'dimensions', dimensions: ['model', 'provider', 'key'] }).dimension).toBe('model');
    const s = initialState();
    expect(reduce(s, { type: 'dimensions', dimensions: DIMS })).toBe(s);
  });
});

describe('layout', () => {
  it('gives each list its minimum, then spare rows by weight up to what each wants', () => {
    expect(allocate(10, [{ min: 2, want: 3, weight: 1 }, { min: 1, want: 20, weight: 1 }])).toEqual([3, 7]);
    expect(allocate(2, [{ min: 3, want: 9, weight: 1 }, { min: 1, want: 9, weight: 1 }])).toEqual([2, 0]);
  });

  it('fits 80×24 in 23 lines and uses more room when there is more', () => {
    const wants = { table: 12, budgets: 6, tail: 40, alerts: 5 };
    const small = layoutFor(MIN_SIZE, wants);
    expect(small.wide).toBe(false);
    expect(8 + small.tableRows + small.budgetRows + small.tailRows + small.alertRows).toBe(23);
    const tall = layoutFor({ columns: 100, rows: 50 }, wants);
    expect(tall.tableRows).toBeGreaterThan(small.tableRows);
    expect(tall.tailRows).toBeGreaterThan(small.tailRows);
    const wide = layoutFor({ columns: 160, rows: 40 }, wants);
    expect(wide.wide).toBe(true);
    expect(wide.left + 2 + wide.right).toBe(160);
    expect(7 + wide.budgetRows + wide.tailRows).toBe(39);
  });
});

describe('projection and glyphs', () => {
  it('projects month-to-date plus the period pace over the rest of the month', () => {
    const now = Date.parse('2026-11-21T00:00:00Z');
    // 10 days left in November; $3 over the last 30 days = $0.10/day → +$1.
    expect(projectMonth({ monthToDateNano: 2e9, periodCostNano: 3e9, since: now - 30 * 86_400_000, until: now, now, timeZone: 'UTC' })).toBe(3e9);
    // "this month": plain linear extrapolation of $2 in 20 days → $3 for 30.
    expect(projectMonth({ monthToDateNano: 2e9, periodCostNano: 2e9, since: Date.parse('2026-11-01T00:00:00Z'), until: now, now, timeZone: 'UTC' })).toBe(3e9);
  });

  it('draws sparklines, gauges and cut text in fixed widths', () => {
    expect(sparkline([0, 1, 2, 4, 8], 10)).toBe('·▁▂▄█');
    expect(sparkline([1, 2, 3], 2)).toBe('▆█');
    expect(gauge(0.5, 10)).toEqual({ filled: '█████', empty: '░░░░░' });
    expect(gauge(3, 4).filled).toBe('████');
    expect(truncate('summarizer', 6)).toBe('summa…');
  });
});
