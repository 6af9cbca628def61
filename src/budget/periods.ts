import { isUtc, localParts, offsetAt } from '../lib/tz.js';
import type { BudgetPeriod } from '../store/types.js';

export { localParts as localFields, offsetAt as zoneOffset } from '../lib/tz.js';

/**
 * Calendar-aligned budget periods in UTC or any IANA time zone.
 *
 * A period window is `[start, end)` in ms since the epoch (UTC instants). Boundaries
 * are the zone's *local midnight*: a day in Europe/Berlin is 23 or 25 hours long on
 * DST days, and a month starts at local midnight of its 1st. Where local midnight does
 * not exist (a DST gap at 00:00, e.g. America/Santiago, or Pacific/Apia skipping a day),
 * the boundary is the first instant whose local date is the new day.
 *
 * Weeks start on Monday (ISO 8601). `total` is `[0, Infinity)`: it never resets.
 */
export interface PeriodWindow {
  /** First instant of the period, ms since the epoch (inclusive). */
  readonly start: number;
  /** First instant of the next period, ms since the epoch (exclusive); `Infinity` for `total`. */
  readonly end: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TOTAL: PeriodWindow = Object.freeze({ start: 0, end: Infinity });

/** Local date as a comparable day number (days since 1970-01-01 of the local calendar date). */
function localDayNumber(t: number, timeZone: string): number {
  const f = localParts(t, timeZone);
  return Date.UTC(f.year, f.month - 1, f.day) / DAY;
}

/**
 * First instant (ms) whose local date in `timeZone` is the calendar date
 * `year-month-day` (month 1-12; out-of-range days/months roll over like Date.UTC).
 */
export function startOfLocalDay(year: number, month: number, day: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day);
  if (isUtc(timeZone)) return wall;
  // Offsets lie within [-12h, +14h], so the boundary lies within [wall-14h, wall+12h].
  // Try local midnight with the offset in effect before and after that range.
  const target = wall / DAY;
  let best = Infinity;
  for (const probe of [wall - 14 * HOUR, wall + 12 * HOUR]) {
    const c = wall - offsetAt(probe, timeZone);
    if (c >= best) continue;
    const f = localParts(c, timeZone);
    if (f.hour === 0 && f.minute === 0 && f.second === 0 && Date.UTC(f.year, f.month - 1, f.day) / DAY === target) best = c;
  }
  if (best !== Infinity) return best;
  // Local midnight does not exist (DST gap at 00:00, or a skipped day): find the first
  // instant whose local date is on or after the target date.
  let lo = wall - 15 * HOUR; // local date < target here
  let hi = wall + 13 * HOUR; // local date >= target here
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDayNumber(mid, timeZone) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * The calendar window of `period` that contains instant `at` (ms) in `timeZone`.
 * Pure and uncached (a few Intl calls); prefer {@link PeriodWindows} or
 * {@link periodWindow} on hot paths.
 */
export function computePeriodWindow(period: BudgetPeriod, at: number, timeZone: string): PeriodWindow {
  if (period === 'total') return TOTAL;
  const f = localParts(at, timeZone);
  const y = f.year;
  const m = f.month;
  let d = f.day;
  let nextM = m;
  let nextD = d + 1;
  if (period === 'week') {
    const dow = new Date(Date.UTC(y, m - 1, d)).getUTCDay(); // 0 = Sunday
    d -= (dow + 6) % 7;
    nextD = d + 7;
  } else if (period === 'month') {
    d = 1;
    nextM = m + 1;
    nextD = 1;
  }
  // Day and month overflow (day 32, month 13, day -3) is normalised by Date.UTC.
  // A skipped local day (Pacific/Apia, 2011-12-30) starts where its successor starts.
  const start = startOfLocalDay(y, m, d, timeZone);
  let end = startOfLocalDay(y, nextM, nextD, timeZone);
  // Where the clock goes back across midnight (America/St_Johns until 2011: 00:01 → 23:01
  // of the day before), the next date begins for a minute, then the current one returns
  // for an hour. An instant of that hour ends its window when the next date comes back.
  if (end <= at) end = firstInstantFrom(at, Date.UTC(y, nextM - 1, nextD) / DAY, timeZone);
  return Object.freeze({ start, end });
}

/** The first instant after `at` (whose local date is before day number `target`) with a local date on or after it; within a day. */
function firstInstantFrom(at: number, target: number, timeZone: string): number {
  let lo = at;
  let hi = at + DAY;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDayNumber(mid, timeZone) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * Caches the current window of each period for one time zone, so the hot path costs
 * two comparisons (`start <= at < end`); a window is recomputed only when `at` leaves it.
 * Returned windows are frozen and shared: never mutate them.
 */
export class PeriodWindows {
  private day: PeriodWindow = { start: 0, end: -Infinity };
  private week: PeriodWindow = { start: 0, end: -Infinity };
  private month: PeriodWindow = { start: 0, end: -Infinity };

  /** Throws a RangeError at once for an unknown zone, rather than on the first request. */
  constructor(readonly timeZone: string) {
    localParts(0, timeZone);
  }

  get(period: BudgetPeriod, at: number): PeriodWindow {
    let w: PeriodWindow;
    switch (period) {
      case 'total':
        return TOTAL;
      case 'day':
        w = this.day;
        if (at >= w.start && at < w.end) return w;
        return (this.day = computePeriodWindow('day', at, this.timeZone));
      case 'week':
        w = this.week;
        if (at >= w.start && at < w.end) return w;
        return (this.week = computePeriodWindow('week', at, this.timeZone));
      case 'month':
        w = this.month;
        if (at >= w.start && at < w.end) return w;
        return (this.month = computePeriodWindow('month', at, this.timeZone));
    }
  }
}

const cachesByZone = new Map<string, PeriodWindows>();

/**
 * The calendar window of `period` containing `at` (ms) in `timeZone` (IANA name or `UTC`):
 * `{start, end}` with `end` exclusive and `Infinity` for `total`. Cached per (period, zone):
 * repeated calls inside the current window cost a Map lookup and two comparisons.
 */
export function periodWindow(period: BudgetPeriod, at: number, timeZone: string): PeriodWindow {
  let c = cachesByZone.get(timeZone);
  if (c === undefined) {
    c = new PeriodWindows(timeZone);
    cachesByZone.set(timeZone, c);
  }
  return c.get(period, at);
}
