import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { report, reportJson, windowsDb } from './windows-harness.js';

/**
 * A window that ends after now covers the time so far: every figure (spend, the compared
 * period, unit economics' proration) is as if --until were now, and the header says so.
 */

const db = windowsDb();
afterAll(() => rmSync(path.dirname(db), { recursive: true, force: true }));

describe('report with an --until after now', () => {
  it('--since this-month --until this-month ends now and compares with the previous month\'s same span', async () => {
    const doc = await reportJson(db, ['--by', 'feature', '--since', 'this-month', '--until', 'this-month', '--compare', 'previous']);
    expect(doc.until).toBe('2026-12-07T19:16:00.000Z');
    expect(doc.previous).toEqual({ since: '2026-11-01T00:00:00.000Z', until: '2026-11-07T19:16:00.000Z' });
    // December so far $2 against November 1–7 ($1 on Nov 3): +100%.
    expect(doc.total.cost_usd).toBe(2);
    expect(doc.total.prev_cost_usd).toBe(1);
  });

  it('--since this-month alone compares the same way', async () => {
    const doc = await reportJson(db, ['--since', 'this-month', '--compare', 'previous']);
    expect(doc.previous).toEqual({ since: '2026-11-01T00:00:00.000Z', until: '2026-11-07T19:16:00.000Z' });
  });

  it('a whole calendar period compares with the whole period before it', async () => {
    const doc = await reportJson(db, ['--since', 'last-month', '--compare', 'previous']);
    expect(doc.previous).toEqual({ since: '2026-10-01T00:00:00.000Z', until: '2026-11-01T00:00:00.000Z' });
  });

  it('the table header says the window so far, and the compared window ends the same way', async () => {
    const { out } = await report(db, ['--by', 'feature', '--since', 'this-month', '--until', 'this-month', '--compare', 'previous']);
    expect(out.split('\n')[0]).toBe('Spend by feature · 2026-12-01 → 2026-12-07 19:16 (so far) (UTC), vs 2026-11-01 → 2026-11-07 19:16');
  });

  it('a date --until after today: the span so far, compared with the same length just before it', async () => {
    const doc = await reportJson(db, ['--since', '2026-11-25', '--until', '2026-12-20', '--compare', 'previous']);
    expect(doc.until).toBe('2026-12-07T19:16:00.000Z');
    expect(doc.until_as_given).toBeUndefined();
    // 12 d 19 h 16 min before Nov 25.
    expect(doc.previous).toEqual({ since: '2026-11-12T04:44:00.000Z', until: '2026-11-25T00:00:00.000Z' });
    const { out } = await report(db, ['--since', '2026-11-25', '--until', '2026-12-20']);
    expect(out.split('\n')[0]).toContain('2026-11-25 → 2026-12-07 19:16 (so far) (UTC)');
  });

  it('unit economics prorate monthly prices as far as now, as without --until', async () => {
    const without = await reportJson(db, ['--since', 'this-month', '--unit-economics']);
    for (const until of ['this-month', '2026-12-20', '2027-03-01T00:00Z']) {
      const doc = await reportJson(db, ['--since', 'this-month', '--until', until, '--unit-economics']);
      expect(doc.unit_economics).toEqual(without.unit_economics);
    }
    expect(without.unit_economics.months).toBeCloseTo((6 * 24 + 19 + 16 / 60) / (31 * 24), 6);
    const { out } = await report(db, ['--since', 'this-month', '--until', 'this-month', '--unit-economics']);
    expect(out).toContain('2026-12-01 → 2026-12-07 19:16 (so far) (UTC) · monthly prices × 0.219444');
  });
});
