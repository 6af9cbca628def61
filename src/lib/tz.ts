/**
 * Wall-clock primitives for IANA time zones, on top of Intl only (no tz database of our
 * own). Instants are ms since the epoch (UTC); offsets are ms to ADD to UTC to get the
 * wall clock (Europe/Berlin in winter: +3.6e6). Calendar arithmetic built on these lives
 * in calendar.ts (report buckets, also read by the store) and budget/periods.ts (budget windows).
 */

/** Wall-clock fields of an instant in a zone. `month` is 1–12. */
export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The cached formatter for a zone; throws a RangeError for a zone Intl does not know. */
export function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when Intl knows the zone (e.g. `UTC`, `Europe/Berlin`). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Names that always mean UTC; they skip Intl entirely. */
export function isUtc(timeZone: string): boolean {
  return timeZone === 'UTC' || timeZone === 'Etc/UTC' || timeZone === 'Z' || timeZone === 'GMT' || timeZone === 'Etc/GMT';
}

/** The wall-clock fields shown in `timeZone` at instant `t` (ms). */
export function localParts(t: number, timeZone: string): LocalParts {
  const out: LocalParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  if (isUtc(timeZone)) {
    const d = new Date(t);
    out.year = d.getUTCFullYear();
    out.month = d.getUTCMonth() + 1;
    out.day = d.getUTCDate();
    out.hour = d.getUTCHours();
    out.minute = d.getUTCMinutes();
    out.second = d.getUTCSeconds();
    return out;
  }
  for (const p of formatterFor(timeZone).formatToParts(t)) {
    if (p.type === 'literal') continue;
    const v = Number(p.value);
    if (p.type === 'year') out.year = v;
    else if (p.type === 'month') out.month = v;
    else if (p.type === 'day') out.day = v;
    else if (p.type === 'hour') out.hour = v === 24 ? 0 : v;
    else if (p.type === 'minute') out.minute = v;
    else if (p.type === 'second') out.second = v;
  }
  return out;
}

/** The zone's offset at instant `t`, in ms (wall clock = utc + offset), at whole-second precision. */
export function offsetAt(t: number, timeZone: string): number {
  if (isUtc(timeZone)) return 0;
  const floored = Math.floor(t / 1000) * 1000;
  const p = localParts(floored, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - floored;
}
