import { describe, expect, it } from 'vitest';
import { tableView } from '../../src/tui/view/table-view.js';
import type { Line } from '../../src/tui/view/text.js';

/**
 * Group values are tag values: a feature named in Japanese takes two terminal columns per
 * character. The spend table fits values to their column by code points, so such a row's
 * spend, share and bar start further right than the other rows' (and a long value pushes
 * the line past the terminal's width, where the calls column is cut off).
 */
const text = (l: Line) => l.map((c) => c.text).join('');
/** Terminal columns of the characters used here: the CJK ideographs are two wide. */
const columns = (s: string) => [...s].reduce((n, ch) => n + (/[\u3040-\u30ff\u4e00-\u9fff]/u.test(ch) ? 2 : 1), 0);

describe('TUI spend table with wide characters in group values', () => {
  it('keeps spend in one column and every line within the width', () => {
    const rows = [
      { value: '要約', kind: 'group' as const, costNano: 5e9, calls: 10, pricedCalls: 10, share: 0.5 },
      { value: 'chat', kind: 'group' as const, costNano: 3e9, calls: 20, pricedCalls: 20, share: 0.3 },
      { value: '長い機能名の要約サービス', kind: 'group' as const, costNano: 2e9, calls: 5, pricedCalls: 5, share: 0.2 },
    ];
    const v = tableView({ dimension: 'feature', rows, totalNano: 10e9, totalCalls: 35 }, { selected: 0, rows: 10, width: 60, drill: [], dimensions: ['feature', 'model'] });
    const lines = v.rows.map((r) => text(r.line));
    const moneyEnd = (l: string) => columns(l.slice(0, l.indexOf('.') + 3));
    expect(new Set(lines.map(moneyEnd)).size).toBe(1);
    for (const l of lines) expect(columns(l)).toBeLessThanOrEqual(60);
  });
});
