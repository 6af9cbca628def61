import { describe, expect, it } from 'vitest';
import type { BudgetState } from '../../src/budget/types.js';
import { budgetView, levelOf, sortBudgets } from '../../src/tui/view/budget-view.js';
import { alertsView, tagsText, tailView } from '../../src/tui/view/feed-view.js';
import { tableView } from '../../src/tui/view/table-view.js';
import type { AlertRow, TailCall } from '../../src/tui/types.js';
import type { Line } from '../../src/tui/view/text.js';

const text = (l: Line) => l.map((c) => c.text).join('');
const USD = 1e9;

function budget(p: Partial<BudgetState>): BudgetState {
  return { name: 'b', kind: 'key', tagValue: null, per: null, spentNano: 0, reservedNano: 0, inFlight: 0, waiting: 0, limitNano: USD, period: 'month', periodStart: 0, resetAt: Date.parse('2026-12-01T00:00:00Z'), soft: false, blocked: false, ...p };
}

describe('budget gauges', () => {
  it('are green below 80%, yellow from 80%, red at the limit; blocked and soft-over are marked', () => {
    expect(levelOf(budget({ spentNano: 0.79 * USD }))).toBe('ok');
    expect(levelOf(budget({ spentNano: 0.8 * USD }))).toBe('warn');
    expect(levelOf(budget({ spentNano: USD, blocked: true }))).toBe('over');
    const view = budgetView(
      [budget({ name: 'soft-one', soft: true, spentNano: 1.5 * USD }), budget({ name: 'hard', spentNano: USD, blocked: true }), budget({ name: 'quiet', period: 'total', resetAt: null })],
      { rows: 5, width: 100, timeZone: 'UTC' },
    );
    expect(text(view.title)).toContain('1 blocked');
    const rows = view.rows.map(text);
    expect(rows[0]).toMatch(/^hard\s.*100%.*BLOCKED\s+resets 12-01$/);
    expect(rows[1]).toMatch(/^soft-one\s.*150%.*OVER \(soft\)/);
    expect(rows[2]).toMatch(/^quiet\s.*0%.*never resets$/);
    expect(view.rows[0]!.find((c) => c.text.includes('█'))!.tone).toBe('bad');
  });

  it('hide idle per-value instances and say how many more there are', () => {
    const many = [budget({ name: 'k' }), budget({ name: 't', kind: 'tag', per: 'user_id', tagValue: 'u1' }), ...['u2', 'u3', 'u4'].map((u, i) => budget({ name: 't', kind: 'tag', per: 'user_id', tagValue: u, spentNano: (i + 1) * 1e8 }))];
    expect(sortBudgets(many).map((b) => b.tagValue)).toEqual(['u4', 'u3', 'u2', null]);
    const view = budgetView(many, { rows: 3, width: 100, timeZone: 'UTC' });
    expect(view.rows.map(text).at(-1)).toBe('… 2 more');
    expect(text(view.rows[0]!)).toMatch(/^t user_id=u4/);
  });
});

describe('budget gauges with calls in flight (admin API source)', () => {
  it('show calls in flight and callers waiting, and keep a per-value instance that only has waiters', () => {
    const view = budgetView(
      [budget({ name: 'busy', spentNano: 0.5 * USD, reservedNano: 0.4 * USD, inFlight: 3, waiting: 2 }), budget({ name: 'calm', inFlight: 1 }), budget({ name: 'idle' })],
      { rows: 5, width: 120, timeZone: 'UTC' },
    );
    const rows = view.rows.map(text);
    expect(rows[0]).toMatch(/^busy\s.*50%.*resets 12-01  3 in flight, 2 waiting$/);
    expect(view.rows[0]!.at(-1)!.tone).toBe('warn');
    expect(rows[1]).toMatch(/^calm\s.*resets 12-01  1 in flight$/);
    expect(rows[2]).toMatch(/resets 12-01$/);
    expect(rows.every((r) => r.length <= 120)).toBe(true);
    const waitingOnly = budget({ name: 't', kind: 'tag', per: 'user_id', tagValue: 'u9', waiting: 1 });
    expect(sortBudgets([waitingOnly])).toEqual([waitingOnly]);
  });
});

describe('feeds', () => {
  it('say why a panel is empty', () => {
    expect(text(tailView(null, { rows: 3, width: 80, timeZone: 'UTC', now: 0, note: 'Live tail needs --db.' }).rows[0]!)).toBe('Live tail needs --db.');
    expect(text(tailView([], { rows: 3, width: 80, timeZone: 'UTC', now: 0, note: null }).rows[0]!)).toMatch(/No calls yet/);
    expect(text(alertsView(null, { rows: 3, width: 80, timeZone: 'UTC', notes: ['No alerts table in this database yet.'] }).rows[0]!)).toMatch(/No alerts table/);
  });

  it('mark failed and unpriced calls in the tail', () => {
    const now = Date.parse('2026-11-20T12:00:00Z');
    const rows = tailView(
      [
        { id: 2, ts: now - 1000, keyName: 'k', model: 'm', tags: { feature: 'x' }, costNano: null, latencyMs: 12.4, status: 200 },
        { id: 1, ts: now - 2 * 86_400_000, keyName: null, model: null, tags: {}, costNano: 5e6, latencyMs: 3000, status: 429 },
      ],
      { rows: 5, width: 100, timeZone: 'UTC', now, note: null },
    ).rows;
    expect(text(rows[0]!)).toMatch(/^11:59:59\s+k\s+m\s+unpriced\s+12 ms  feature=x$/);
    expect(text(rows[1]!)).toMatch(/^11-18 12:00\s+—\s+—\s+\$0\.005\s+3,000 ms  \[429\]$/);
    expect(rows[1]!.find((c) => c.text.includes('[429]'))!.tone).toBe('bad');
  });
});

describe('tail widths', () => {
  const now = Date.parse('2026-11-20T12:00:00Z');
  const calls: TailCall[] = [
    { id: 2, ts: now - 86_400_000, keyName: 'autocomplete-service', model: 'claude-sonnet-4-5-20250929', tags: { feature: 'autocomplete', user_tier: 'enterprise', tenant_id: 't_0042', user_id: 'u_00017' }, costNano: 871_000, latencyMs: 4321, status: 200 },
    { id: 1, ts: now - 86_400_000, keyName: 'chatbot', model: 'gpt-4.1-mini-2025-04-14', tags: { feature: 'chatbot' }, costNano: null, latencyMs: 12_345, status: 502 },
  ];

  it('never cut a number, whatever the width; the tags give way first, then the key narrows, the model last', () => {
    for (let width = 30; width <= 160; width++) {
      const rows = tailView(calls, { rows: 5, width, timeZone: 'UTC', now, note: null }).rows.map(text);
      for (const row of rows) expect([...row].length, `width ${width}: ${row}`).toBeLessThanOrEqual(Math.max(width, 33));
      expect(rows[0], `width ${width}`).toMatch(/^11-19 12:00 .*\s\$0\.000871\s+4,321 ms(  |$)/);
      expect(rows[1], `width ${width}`).toMatch(/^11-19 12:00 .*\s unpriced\s+12,345 ms(  |$)/);
    }
    const at = (width: number) => tailView(calls, { rows: 5, width, timeZone: 'UTC', now, note: null }).rows.map(text);
    // Room for everything: whole key (20 cells at most), model (40 at most) and tags.
    expect(at(160)[0]).toBe('11-19 12:00  autocomplete-service  claude-sonnet-4-5-20250929  $0.000871   4,321 ms  feature=autocomplete user_tier=enterprise tenant_id=t_0042 user_id=u_00017');
    expect(at(160)[1]).toMatch(/ 12,345 ms  \[502\] feature=chatbot$/);
    // 80 cells: the model keeps its full name, the failed call its status, the key narrows, and the tags give way.
    expect(at(80)[0]).toBe('11-19 12:00  autocompl…  claude-sonnet-4-5-20250929  $0.000871   4,321 ms');
    expect(at(80)[1]).toBe('11-19 12:00  chatbot     gpt-4.1-mini-2025-04-14      unpriced  12,345 ms  [502]');
    // 100 cells: the tags get what the model and the whole key leave.
    expect(at(100)[0]).toBe('11-19 12:00  autocomplete-service  claude-sonnet-4-5-20250929  $0.000871   4,321 ms  feature=autoco…');
  });
});

describe('a failed call in the tail', () => {
  const now = Date.parse('2026-11-20T12:00:00Z');
  const calls: TailCall[] = [
    { id: 2, ts: now - 86_400_000, keyName: 'autocomplete-service', model: 'claude-sonnet-4-5-20250929', tags: { feature: 'autocomplete', user_tier: 'enterprise' }, costNano: 871_000, latencyMs: 4321, status: 200 },
    { id: 1, ts: now - 86_400_000, keyName: 'chatbot', model: 'gpt-4.1-mini-2025-04-14', tags: { feature: 'chatbot', user_tier: 'free' }, costNano: null, latencyMs: 12_345, status: 502 },
  ];

  it('keeps its status whole when the tags give way, before the group column does', () => {
    for (let width = 50; width <= 160; width++) {
      const rows = tailView(calls, { rows: 5, width, timeZone: 'UTC', now, note: null, group: 'feature' }).rows.map(text);
      expect(rows[1], `width ${width}`).toMatch(/ 12,345 ms  \[502\]( user_ti|$)/);
      expect(rows[0], `width ${width}`).not.toMatch(/\[/);
    }
  });
});

describe('the tail\'s group column', () => {
  const now = Date.parse('2026-11-20T12:00:00Z');
  const calls: TailCall[] = [
    { id: 2, ts: now - 86_400_000, keyName: 'autocomplete-service', model: 'claude-sonnet-4-5-20250929', tags: { feature: 'autocomplete', user_tier: 'enterprise', tenant_id: 't_0042', user_id: 'u_00017' }, costNano: 871_000, latencyMs: 4321, status: 200 },
    { id: 1, ts: now - 86_400_000, keyName: 'chatbot', model: 'gpt-4.1-mini-2025-04-14', tags: { feature: 'chatbot', tenant_id: 't_0042' }, costNano: null, latencyMs: 12_345, status: 502 },
  ];
  const rows = (group: string, sameTags: string[] = []) => tailView(calls, { rows: 5, width: 160, timeZone: 'UTC', now, note: null, group, sameTags }).rows.map(text);

  it('shows the group-by tag\'s value, and the tags leave out that tag and the ones the scope fixes', () => {
    expect(rows('feature', ['tenant_id'])[0]).toBe('11-19 12:00  autocomplete  claude-sonnet-4-5-20250929  $0.000871   4,321 ms  user_tier=enterprise user_id=u_00017');
    expect(rows('feature', ['tenant_id'])[1]).toMatch(/^11-19 12:00  chatbot       gpt-4\.1-mini-2025-04-14 +unpriced  12,345 ms  \[502\]$/);
    expect(rows('user_tier')[1]).toMatch(/^11-19 12:00  —           gpt-4\.1-mini/);
  });

  it('names the key when grouping by a built-in dimension (the model has its own column)', () => {
    expect(rows('model')[0]).toMatch(/^11-19 12:00  autocomplete-service  claude-sonnet-4-5-20250929  .*  feature=autocomplete user_tier=enterprise/);
  });
});

describe('tags in the tail', () => {
  it('lead with feature, user_tier, tenant_id', () => {
    expect(tagsText({ user_id: 'u1', session_id: 's', tenant_id: 't', feature: 'f', user_tier: 'pro' })).toBe('feature=f user_tier=pro tenant_id=t session_id=s user_id=u1');
  });
});

describe('control characters from stored data', () => {
  it('are shown escaped in the tail, the spend table and the alerts, and widths count the escaped text', () => {
    const now = Date.parse('2026-11-20T12:00:00Z');
    const evil = '\u001b]52;c;eA==\u0007sum\r\nx\u009b';
    const tail = tailView([{ id: 1, ts: now - 1000, keyName: 'k\u001b[2J', model: 'm\u0000', tags: { feature: evil }, costNano: 1e6, latencyMs: 5, status: 200 }], { rows: 3, width: 200, timeZone: 'UTC', now, note: null });
    const table = tableView(
      { dimension: 'feature', totalNano: 1e6, totalCalls: 1, rows: [{ value: evil, costNano: 1e6, share: 1, calls: 1, pricedCalls: 1 }] } as Parameters<typeof tableView>[0],
      { selected: 0, rows: 3, width: 120, drill: [{ key: 'user_tier', op: '=', value: 'a\nb' }], dimensions: ['feature'] },
    );
    const alert: AlertRow = { at: now, kind: 'tag', budget: 'b', per: 'user_id', tagValue: evil, threshold: 1, spentNano: 1, limitNano: 1 };
    const alerts = alertsView([alert], { rows: 3, width: 200, timeZone: 'UTC', notes: [] });
    const lines = [...tail.rows, table.title, ...table.rows.map((r) => r.line), ...alerts.rows].map(text);
    for (const line of lines) expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(text(tail.rows[0]!)).toContain('k\\u001b[2J  m\\u0000');
    expect(text(tail.rows[0]!)).toContain('feature=\\u001b]52;c;eA==\\u0007sum\\u000d\\u000ax\\u009b');
    expect(text(table.title)).toContain('user_tier=a\\u000ab');
    const value = table.rows[0]!.line[1]!.text;
    expect(value.startsWith('\\u001b]52')).toBe(true);
    expect(text(alerts.rows[0]!)).toContain('(user_id=\\u001b]52;c;eA==\\u0007sum\\u000d\\u000ax\\u009b)');
  });
});
