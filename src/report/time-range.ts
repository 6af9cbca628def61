import type { Clock } from '../lib/clock.js';
import { UsageError } from '../lib/errors.js';
import { isValidTimeZone, startOfDay, startOfMonth, startOfWeek, zonedToUtc } from './tz.js';
import type { TimeRange } from './types.js';

/**
 * `--since` / `--until` parsing. A report covers the half-open range [since, until) in ms
 * since the epoch (UTC). Accepted forms (calendar words use the configured time zone):
 *
 * - relative spans `5m` (or `5min`), `24h`, `7d`, `2w`: that much before now (exact: 1d = 24 h,
 *   also across DST). `m` is minutes, never months: a month is no fixed span, so months are
 *   only the named periods below, and a capital `M` (months in some tools' spans) is refused
 *   rather than read as minutes. Seconds are not taken: a spend report over the last few
 *   seconds tells nothing the TUI's live tail (the latest calls) does not;
 * - `now`;
 * - named periods `today`, `yesterday`, `this-week`, `last-week` (weeks start Monday),
 *   `this-month`, `last-month`. As `--since` a named period also ends the range at the
 *   period's end (or now, whichever is earlier) unless `--until` is given; as `--until`
 *   it means "through the end of that period";
 * - dates `2026-11-01`: local midnight starting that day as `--since`; as `--until` the
 *   date is INCLUSIVE (the range ends at the following local midnight), so
 *   `--since 2026-11-01 --until 2026-11-30` is all of November;
 * - timestamps `2026-11-01T09:30`, `2026-11-01 09:30:15`: local wall time in the zone,
 *   or an absolute instant when they carry `Z` or an offset (`2026-11-01T09:30:00+01:00`).
 *
 * Defaults: since = 30d, until = now.
 */

export interface TimeRangeInput {
  since?: string;
  until?: string;
}

export interface TimeRangeContext {
  clock: Clock;
  /** IANA zone name for calendar words and dates, e.g. `UTC`, `Europe/Berlin`. */
  timeZone: string;
  /** How messages name the two bounds: the CLI flags by default; the admin API's query parameters are `since` and `until`. */
  names?: { since: string; until: string };
}

const FLAG_NAMES = { since: '--since', until: '--until' };

export const DEFAULT_SINCE = '30d';

const ACCEPTED =
  'Use a relative span (30m, 24h, 7d, 2w), now, today, yesterday, this-week, last-week, this-month, last-month, ' +
  'a date (2026-11-01) or a timestamp (2026-11-01T09:30, 2026-11-01T09:30:00Z).';

/** Relative span units in ms; `m` and `min` are minutes (months are named periods only). */
const UNIT_MS: Record<string, number> = { m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
const RELATIVE_RE = /^(\d{1,6})(min|m|h|d|w)$/;
/** `1mo`, `2months`, `3mon`: months written as a span, refused with a hint (months are named periods only). */
const MONTHS_RE = /^\d{1,6}\s*(mo|mos|mon|mons|month|months)$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** One side of the range: the instant, plus the end a named period implies when used as --since. */
interface Bound {
  at: number;
  impliedEnd?: number;
}

type Side = 'since' | 'until';

export function parseTimeRange(input: TimeRangeInput, ctx: TimeRangeContext): TimeRange {
  if (!isValidTimeZone(ctx.timeZone)) {
    throw new UsageError(`"${ctx.timeZone}" is not a valid IANA time zone (for example UTC or Europe/Berlin).`);
  }
  const now = ctx.clock();
  const names = ctx.names ?? FLAG_NAMES;
  const sinceText = input.since ?? DEFAULT_SINCE;
  const since = parseBound(sinceText, 'since', names.since, now, ctx.timeZone);
  let until: number;
  if (input.until !== undefined) until = parseBound(input.until, 'until', names.until, now, ctx.timeZone).at;
  else until = since.impliedEnd !== undefined ? Math.min(since.impliedEnd, now) : now;

  if (since.at >= until) {
    // Echo what was typed: an --until date means the end of that day, not the midnight instant it becomes.
    const end = input.until !== undefined ? `"${input.until}"${untilDateAsGiven(input.until) ? ' (inclusive)' : ''}` : `now (${new Date(until).toISOString()})`;
    throw new UsageError(`${names.since} "${sinceText}" (${new Date(since.at).toISOString()}) must be before ${names.until} ${end}.`);
  }
  return { since: since.at, until };
}

/**
 * One instant in the forms `--since` takes, for an option that names a moment rather than
 * a range (`prices --at`): a named period or a date is its start (local midnight in
 * `ctx.timeZone`), a relative span that much before now. `name`: the option, for messages.
 * @throws UsageError on an invalid zone or a form `--since` refuses, in its words.
 */
export function parseInstant(raw: string, name: string, ctx: Pick<TimeRangeContext, 'clock' | 'timeZone'>): number {
  if (!isValidTimeZone(ctx.timeZone)) {
    throw new UsageError(`"${ctx.timeZone}" is not a valid IANA time zone (for example UTC or Europe/Berlin).`);
  }
  return parseBound(raw, 'since', name, ctx.clock(), ctx.timeZone).at;
}

/** One bound; `name` is how messages call it (`--since`, or `since` for a query parameter). */
function parseBound(raw: string, side: Side, name: string, now: number, timeZone: string): Bound {
  const text = raw.trim().toLowerCase();
  const fail = (why = 'is not a time'): never => {
    throw new UsageError(`${name} "${raw}" ${why}. ${ACCEPTED}`);
  };
  if (text === 'now') return { at: now };

  const rel = RELATIVE_RE.exec(text);
  if (rel && /M$/.test(raw.trim())) fail('is not a time (m is minutes; for months use this-month, last-month or a date)');
  if (rel) return { at: now - Number(rel[1]) * UNIT_MS[rel[2]!]! };
  if (MONTHS_RE.test(text)) fail('is not a time (a month is no fixed span: for months use this-month, last-month or a date; 30d is 30 days)');

  const period = namedPeriod(text, now, timeZone);
  if (period) return side === 'since' ? { at: period.start, impliedEnd: period.end } : { at: period.end };

  const date = DATE_RE.exec(text);
  if (date) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
    if (!isRealDate(y, m, d)) fail('is not a calendar date');
    return { at: zonedToUtc(y, m, side === 'until' ? d + 1 : d, 0, 0, 0, 0, timeZone) };
  }

  const ts = TIMESTAMP_RE.exec(raw.trim());
  if (ts) {
    const [y, m, d, hh, mm] = [1, 2, 3, 4, 5].map((i) => Number(ts[i]));
    const ss = Number(ts[6] ?? 0);
    const ms = Number((ts[7] ?? '0').padEnd(3, '0'));
    if (!isRealDate(y!, m!, d!) || hh! > 23 || mm! > 59 || ss > 59) fail('is not a valid timestamp');
    const zone = ts[8];
    if (zone === undefined) return { at: zonedToUtc(y!, m!, d!, hh!, mm!, ss, ms, timeZone) };
    const offsetMs = zone.toUpperCase() === 'Z' ? 0 : parseOffset(zone);
    return { at: Date.UTC(y!, m! - 1, d!, hh!, mm!, ss, ms) - offsetMs };
  }
  return fail();
}

/**
 * The `--until` text when it is a date (`2026-11-01`): such an end is inclusive, so the
 * range [since, until) ends at the next local midnight, and displays echo the date as
 * typed (marked inclusive) instead of that midnight. Undefined for every other form.
 */
export function untilDateAsGiven(until: string | undefined): string | undefined {
  const text = until?.trim();
  return text !== undefined && DATE_RE.test(text) ? text : undefined;
}

/** A named calendar period: [start, end), and the start of the period of the same kind before it. */
export interface NamedPeriod {
  start: number;
  end: number;
  previousStart: number;
}

/** The period a word such as `this-month` names at `now` in `timeZone` (case and spaces ignored); undefined for any other text. */
export function namedPeriodOf(raw: string, now: number, timeZone: string): NamedPeriod | undefined {
  return namedPeriod(raw.trim().toLowerCase(), now, timeZone);
}

function namedPeriod(text: string, now: number, timeZone: string): NamedPeriod | undefined {
  const day = (n: number) => startOfDay(now, timeZone, n);
  const week = (n: number) => startOfWeek(now, timeZone, n);
  const month = (n: number) => startOfMonth(now, timeZone, n);
  switch (text) {
    case 'today':
      return { start: day(0), end: day(1), previousStart: day(-1) };
    case 'yesterday':
      return { start: day(-1), end: day(0), previousStart: day(-2) };
    case 'this-week':
      return { start: week(0), end: week(1), previousStart: week(-1) };
    case 'last-week':
      return { start: week(-1), end: week(0), previousStart: week(-2) };
    case 'this-month':
      return { start: month(0), end: month(1), previousStart: month(-1) };
    case 'last-month':
      return { start: month(-1), end: month(0), previousStart: month(-2) };
    default:
      return undefined;
  }
}

function isRealDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** `+01:00` / `-0530` → ms to subtract from the wall time to get UTC. */
function parseOffset(zone: string): number {
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
}
