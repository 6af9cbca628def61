import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computePeriodWindow, localFields, periodWindow, PeriodWindows, startOfLocalDay } from '../../src/budget/periods.js';
import type { BudgetPeriod } from '../../src/store/types.js';

const iso = (ms: number) => new Date(ms).toISOString();
const t = (s: string) => Date.parse(s);

function win(period: BudgetPeriod, at: string, tz: string): [string, string] {
  const w = periodWindow(period, t(at), tz);
  return [iso(w.start), w.end === Infinity ? 'Infinity' : iso(w.end)];
}

describe('periodWindow', () => {
  it.each<[period: BudgetPeriod, at: string, tz: string, start: string, end: string]>([
    // UTC: day, Monday week, month.
    ['day', '2026-11-15T13:45:00Z', 'UTC', '2026-11-15T00:00:00.000Z', '2026-11-16T00:00:00.000Z'],
    // 2026-11-15 is a Sunday: its week started Monday 2026-11-09.
    ['week', '2026-11-15T23:59:59.999Z', 'UTC', '2026-11-09T00:00:00.000Z', '2026-11-16T00:00:00.000Z'],
    ['week', '2026-11-16T00:00:00Z', 'UTC', '2026-11-16T00:00:00.000Z', '2026-11-23T00:00:00.000Z'],
    ['month', '2026-11-20T12:00:00Z', 'UTC', '2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z'],
    ['month', '2026-12-31T23:59:59Z', 'UTC', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['month', '2028-02-29T10:00:00Z', 'UTC', '2028-02-01T00:00:00.000Z', '2028-03-01T00:00:00.000Z'],
    // America/New_York: 23-hour and 25-hour days, weeks and months at local midnight.
    ['day', '2026-03-08T12:00:00-04:00', 'America/New_York', '2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z'],
    ['day', '2026-11-01T12:00:00-05:00', 'America/New_York', '2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z'],
    ['week', '2026-03-08T23:30:00-04:00', 'America/New_York', '2026-03-02T05:00:00.000Z', '2026-03-09T04:00:00.000Z'],
    ['month', '2026-11-30T23:59:00-05:00', 'America/New_York', '2026-11-01T04:00:00.000Z', '2026-12-01T05:00:00.000Z'],
    // Asia/Kolkata: +05:30 without DST.
    ['day', '2026-11-15T20:00:00Z', 'Asia/Kolkata', '2026-11-15T18:30:00.000Z', '2026-11-16T18:30:00.000Z'],
    ['month', '2026-11-30T19:00:00Z', 'Asia/Kolkata', '2026-11-30T18:30:00.000Z', '2026-12-31T18:30:00.000Z'],
    // 2026-11-15T20:00Z is Monday 01:30 IST: a new week already.
    ['week', '2026-11-15T20:00:00Z', 'Asia/Kolkata', '2026-11-15T18:30:00.000Z', '2026-11-22T18:30:00.000Z'],
    // Europe/Berlin across both DST changes.
    ['day', '2026-03-29T12:00:00+02:00', 'Europe/Berlin', '2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z'],
    ['day', '2026-10-25T12:00:00+01:00', 'Europe/Berlin', '2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z'],
    ['week', '2026-03-29T12:00:00+02:00', 'Europe/Berlin', '2026-03-22T23:00:00.000Z', '2026-03-29T22:00:00.000Z'],
    ['month', '2026-03-15T12:00:00+01:00', 'Europe/Berlin', '2026-02-28T23:00:00.000Z', '2026-03-31T22:00:00.000Z'],
    // Pacific/Apia skipped 2011-12-30: Dec 29 ends where Dec 31 begins.
    ['day', '2011-12-29T12:00:00-10:00', 'Pacific/Apia', '2011-12-29T10:00:00.000Z', '2011-12-30T10:00:00.000Z'],
    ['day', '2011-12-31T12:00:00+14:00', 'Pacific/Apia', '2011-12-30T10:00:00.000Z', '2011-12-31T10:00:00.000Z'],
  ])('%s at %s in %s is [%s, %s)', (period, at, tz, start, end) => {
    expect(win(period, at, tz)).toEqual([start, end]);
  });

  it('total is all time', () => {
    expect(periodWindow('total', t('2026-11-20T12:00:00Z'), 'UTC')).toEqual({ start: 0, end: Infinity });
  });

  it('a boundary instant belongs to the period it starts', () => {
    expect(win('day', '2026-11-16T00:00:00Z', 'UTC')[0]).toBe('2026-11-16T00:00:00.000Z');
    expect(win('day', '2026-11-15T23:59:59.999Z', 'UTC')[1]).toBe('2026-11-16T00:00:00.000Z');
  });

  it('America/New_York: 2026-12-01T03:00Z is still November 30, so its month ends at local midnight', () => {
    expect(win('month', '2026-12-01T03:00:00Z', 'America/New_York')[1]).toBe('2026-12-01T05:00:00.000Z');
  });

  it('Europe/Berlin: the repeated hour 02:00-03:00 on 2026-10-25 is one day', () => {
    const tz = 'Europe/Berlin';
    expect(win('day', '2026-10-25T00:30:00Z', tz)).toEqual(win('day', '2026-10-25T01:30:00Z', tz));
  });

  it('America/Santiago springs forward at 24:00 → 01:00: the day starts at 01:00 local', () => {
    const s = startOfLocalDay(2024, 9, 8, 'America/Santiago');
    expect(localFields(s, 'America/Santiago')).toMatchObject({ day: 8, hour: 1, minute: 0 });
    expect(localFields(s - 1, 'America/Santiago').day).toBe(7);
  });
});

describe('a clock that goes back across midnight (America/St_Johns until 2011: 00:01 NDT → 23:01 NST)', () => {
  const tz = 'America/St_Johns';
  // 2004-10-31: Sunday 00:00–00:01 NDT (02:30–02:31 UTC), then Saturday 23:01–23:59 NST again.
  it('an instant of the returned hour is in a Saturday window that ends when Sunday comes back', () => {
    const at = t('2004-10-31T02:31:00Z'); // the fast-check counterexample: 23:01 NST, Saturday
    expect(localFields(at, tz)).toMatchObject({ day: 30, hour: 23, minute: 1 });
    const w = computePeriodWindow('day', at, tz);
    expect(w.start <= at && at < w.end).toBe(true);
    expect(w.end).toBe(t('2004-10-31T03:30:00Z'));
    expect(localFields(w.start, tz)).toMatchObject({ day: 30, hour: 0, minute: 0 });
  });

  it("the first minute of Sunday is in Sunday's window, which starts at its first midnight", () => {
    const at = t('2004-10-31T02:30:30Z');
    expect(localFields(at, tz)).toMatchObject({ day: 31, hour: 0, minute: 0 });
    expect(computePeriodWindow('day', at, tz)).toEqual({ start: t('2004-10-31T02:30:00Z'), end: startOfLocalDay(2004, 11, 1, tz) });
  });
});

describe('window properties in many zones (fast-check)', () => {
  const zones = [
    'UTC', 'America/New_York', 'Asia/Kolkata', 'Europe/Berlin', 'America/Sao_Paulo', 'America/Santiago', 'Asia/Beirut',
    'Australia/Lord_Howe', 'Pacific/Chatham', 'America/Havana', 'Asia/Tehran', 'Pacific/Apia', 'America/St_Johns',
    'Pacific/Kiritimati', 'Etc/GMT+12',
  ];
  const dayNo = (ms: number, tz: string) => {
    const f = localFields(ms, tz);
    return Date.UTC(f.year, f.month - 1, f.day) / 86_400_000;
  };
  const arb = fc.record({ at: fc.integer({ min: t('2000-01-01T00:00:00Z'), max: t('2040-01-01T00:00:00Z') }), tz: fc.constantFrom(...zones) });

  it('a day window is [first instant of the local date, first instant of a later date)', () => {
    fc.assert(
      fc.property(arb, ({ at, tz }) => {
        const { start, end } = computePeriodWindow('day', at, tz);
        const d = dayNo(at, tz);
        expect(start <= at && at < end).toBe(true);
        expect(dayNo(start, tz)).toBe(d);
        expect(dayNo(start - 1, tz)).toBeLessThan(d);
        expect(dayNo(end - 1, tz)).toBe(d);
        expect(dayNo(end, tz)).toBeGreaterThan(d);
      }),
      { numRuns: 1500 },
    );
  });

  it('every day of 2024-2026 in every zone (all DST changes of those years)', () => {
    for (const tz of zones) {
      for (let at = t('2024-01-01T00:00:00Z'); at < t('2027-01-01T00:00:00Z'); at += 17 * 3_600_000) {
        const { start, end } = computePeriodWindow('day', at, tz);
        const d = dayNo(at, tz);
        if (!(start <= at && at < end && dayNo(start, tz) === d && dayNo(start - 1, tz) < d && dayNo(end - 1, tz) === d && dayNo(end, tz) > d)) {
          throw new Error(`bad day window for ${tz} at ${iso(at)}: ${iso(start)} .. ${iso(end)}`);
        }
      }
    }
  });

  it('weeks start on a Monday and months on the 1st, at the start of that local day', () => {
    fc.assert(
      fc.property(arb, ({ at, tz }) => {
        const week = computePeriodWindow('week', at, tz);
        const month = computePeriodWindow('month', at, tz);
        for (const w of [week, month]) expect(w.start <= at && at < w.end).toBe(true);
        const ws = localFields(week.start, tz);
        // Monday, unless that Monday was skipped (then Tuesday)
        expect([1, 2]).toContain(new Date(Date.UTC(ws.year, ws.month - 1, ws.day)).getUTCDay());
        expect(week.start).toBe(computePeriodWindow('day', week.start, tz).start);
        expect(localFields(month.start, tz).day).toBeLessThanOrEqual(2);
        expect(localFields(month.end, tz).day).toBeLessThanOrEqual(2);
        expect(month.start).toBe(computePeriodWindow('day', month.start, tz).start);
        expect(localFields(month.start - 1, tz).month).not.toBe(localFields(month.start, tz).month);
      }),
      { numRuns: 500 },
    );
  });
});

describe('PeriodWindows cache', () => {
  it('returns the same window object inside a period and moves on at its end', () => {
    const c = new PeriodWindows('Europe/Berlin');
    const a = c.get('day', t('2026-03-29T10:00:00Z'));
    expect(c.get('day', t('2026-03-29T21:59:59.999Z'))).toBe(a);
    const b = c.get('day', a.end);
    expect(b.start).toBe(a.end);
    expect(c.get('total', 0).end).toBe(Infinity);
  });

  it('rejects an unknown zone up front', () => {
    expect(() => new PeriodWindows('Mars/Olympus_Mons')).toThrow(RangeError);
  });
});
