import { describe, expect, it } from 'vitest';
import { formatMoney } from '../../src/report/format/text.js';
import { buildDb } from './dataset.js';
import { renderTable } from '../../src/report/format/table.js';
import { spendReport } from '../../src/report/query.js';

/**
 * Money is exact integer nano-USD; the table rounds it for people. An amount exactly half
 * way between two displayed values must round the same way every time (half up, as the
 * rest of tokometer's dollar formatting does), not as the nearest binary float happens to
 * fall: $1.005 is 1.00499999… as a double and $2.675 is 2.67499999….
 */
describe('formatMoney rounds exact halves of integer nano-USD consistently', () => {
  it('rounds half a cent up at every size', () => {
    expect(formatMoney(12_345_000_000)).toBe('$12.35'); // the double happens to sit above the half
    expect(formatMoney(1_005_000_000)).toBe('$1.01');
    expect(formatMoney(2_675_000_000)).toBe('$2.68');
    expect(formatMoney(1_015_000_000)).toBe('$1.02');
    expect(formatMoney(-1_005_000_000)).toBe('-$1.01');
  });

  it('rounds half a tenth of a cent up below a dollar', () => {
    expect(formatMoney(28_500_000)).toBe('$0.029');
    expect(formatMoney(44_500_000)).toBe('$0.045');
    expect(formatMoney(12_500_000)).toBe('$0.013');
  });

  it('a report row of $1.005 shows $1.01, as its JSON (1.005) rounds', async () => {
    const db = buildDb([{ at: '2026-11-02T00:00:00Z', cost: 1_005_000_000, tags: { feature: 'a' } }]);
    const r = await spendReport(db.reads, { since: Date.parse('2026-11-01T00:00:00Z'), until: Date.parse('2026-12-01T00:00:00Z'), by: ['feature'], where: [], timeZone: 'UTC' });
    db.close();
    const row = renderTable(r, { color: false }).split('\n').find((l) => l.startsWith('a '))!;
    expect(row).toMatch(/^a\s+\$1\.01\s/);
  });
});
