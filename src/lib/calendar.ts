import { localParts, offsetAt } from './tz.js';

/**
 * Calendar arithmetic in an IANA time zone, on the primitives of tz.ts: local days,
 * weeks and months, the offset spans of a range, and report buckets. Shared by the
 * report engine and the store's report queries (which bucket and cut ranges by them).
 *
 * All instants are ms since the epoch (UTC). A "local" date-time is the wall clock in the
 * zone. Offsets are ms to ADD to UTC to get the wall clock (Europe/Berlin in winter: +3.6e6).
 */

const DAY_MS = 86_400_000;

/**
 * The instant at which the wall clock in the zone shows the given local time.
 * A wall time inside a DST gap is read with the offset before the gap (02:30 on a
 * spring-forward day in Berlin → 01:30 UTC, which the clock shows as 03:30);
 * in a DST overlap the earlier instant wins. month is 1–12 and may overflow (13 → next January).
 */
export function zonedToUtc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // The offsets in force a day either side bracket any transition near this wall time.
  const before = wall - offsetAt(wall - DAY_MS, timeZone);
  const after = wall - offsetAt(wall + DAY_MS, timeZone);
  const matching = [before, after].filter((t) => t + offsetAt(t, timeZone) === wall);
  if (matching.length > 0) return Math.min(...matching);
  return before; // in a gap: the wall time does not exist; read it with the earlier offset
}

/** Local midnight starting the calendar day that contains `ms`, shifted by `addDays` days. */
export function startOfDay(ms: number, timeZone: string, addDays = 0): number {
  const p = localParts(ms, timeZone);
  return zonedToUtc(p.year, p.month, p.day + addDays, 0, 0, 0, 0, timeZone);
}

/** Local midnight of the first day of the month containing `ms`, shifted by `addMonths` months. */
export function startOfMonth(ms: number, timeZone: string, addMonths = 0): number {
  const p = localParts(ms, timeZone);
  return zonedToUtc(p.year, p.month + addMonths, 1, 0, 0, 0, 0, timeZone);
}

/** Local midnight of the Monday starting the week that contains `ms`, shifted by `addWeeks`. */
export function startOfWeek(ms: number, timeZone: string, addWeeks = 0): number {
  const p = localParts(ms, timeZone);
  const weekday = new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay(); // 0 = Sunday
  const sinceMonday = (weekday + 6) % 7;
  return zonedToUtc(p.year, p.month, p.day - sinceMonday + 7 * addWeeks, 0, 0, 0, 0, timeZone);
}

/** A span of time during which the zone's offset is constant: [from, to). */
export interface OffsetSegment {
  from: number;
  to: number;
  offsetMs: number;
}

/**
 * Splits [from, to) into spans of constant offset. Probes every 6 hours (no zone changes
 * its offset twice within 6 hours) and binary-searches each change over whole seconds
 * (zones change offset on a whole second), so a span ends exactly at the change, whatever
 * the milliseconds of `from` and `to`.
 */
export function offsetSegments(from: number, to: number, timeZone: string): OffsetSegment[] {
  const segments: OffsetSegment[] = [];
  if (to <= from) return [{ from, to: from, offsetMs: offsetAt(from, timeZone) }];
  const step = 6 * 3_600_000;
  let segStart = from;
  let segOffset = offsetAt(from, timeZone);
  for (let probe = from; probe < to; ) {
    const next = Math.min(probe + step, to);
    const nextOffset = offsetAt(next, timeZone);
    if (nextOffset !== segOffset) {
      const change = firstSecondWithNewOffset(probe, next, segOffset, timeZone);
      segments.push({ from: segStart, to: change, offsetMs: segOffset });
      segStart = change;
      segOffset = offsetAt(change, timeZone);
    }
    probe = next;
  }
  segments.push({ from: segStart, to, offsetMs: segOffset });
  return segments;
}

/**
 * The instant (a whole second, ms) the offset changes from `oldOffset`, given that it is
 * `oldOffset` at `lo` and not at `hi` (lo < hi). Searched over whole seconds: the change
 * is a whole second T with lo < T <= hi, so the second at or before `lo` still has the old
 * offset and the second at or before `hi` already has the new one. Each step narrows
 * [low, high] by at least one second, so it ends (an earlier search in ms could stall when
 * `hi - lo` was not a multiple of 1,000).
 */
function firstSecondWithNewOffset(lo: number, hi: number, oldOffset: number, timeZone: string): number {
  let low = Math.floor(lo / 1000); // seconds; the offset there is oldOffset
  let high = Math.floor(hi / 1000); // seconds; the offset there is not
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (offsetAt(mid * 1000, timeZone) === oldOffset) low = mid;
    else high = mid;
  }
  return high * 1000;
}

/** `YYYY-MM-DD` of the local calendar day containing `ms`. */
export function localDate(ms: number, timeZone: string): string {
  const p = localParts(ms, timeZone);
  return `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** Calendar buckets of a report's time dimensions; weeks start on Monday. */
export type CalendarUnit = 'day' | 'week' | 'month';

/** Start of the bucket containing `ms`, and the start of the one after it. */
export function bucketBounds(unit: CalendarUnit, ms: number, timeZone: string): [number, number] {
  switch (unit) {
    case 'day':
      return [startOfDay(ms, timeZone), startOfDay(ms, timeZone, 1)];
    case 'week':
      return [startOfWeek(ms, timeZone), startOfWeek(ms, timeZone, 1)];
    case 'month':
      return [startOfMonth(ms, timeZone), startOfMonth(ms, timeZone, 1)];
  }
}

/** A bucket's label, as the store's SQL writes it: `YYYY-MM-DD`, the week's Monday, or `YYYY-MM`. */
export function bucketLabel(unit: CalendarUnit, start: number, timeZone: string): string {
  const date = localDate(start, timeZone);
  return unit === 'month' ? date.slice(0, 7) : date;
}
