import type { Clock } from '../lib/clock.js';
import { UsageError } from '../lib/errors.js';
import { namedPeriodOf, parseTimeRange, untilDateAsGiven, type TimeRangeContext, type TimeRangeInput } from './time-range.js';
import type { TimeRange } from './types.js';

/**
 * A report's window: `--since` / `--until` (time-range.ts) read as far as now, and the
 * window `--compare previous` compares it with. Times in ms since the epoch, [since, until).
 *
 * - An end after now (`--until this-month`, a later date, a later timestamp, or the end a
 *   named `--since` implies) is read as now for every figure: no call lies ahead, and
 *   prorating or comparing over time that has not happened would mislead. `soFar` says so.
 * - Previous window: when `--since` names a calendar period (today, this-week, last-month…)
 *   and the window stays inside it, the same span from the start of the period before
 *   (this-month on Dec 7 19:16 → Nov 1 00:00 → Nov 7 19:16, at most that whole period;
 *   a whole period → the whole period before it). Any other window: the same length of
 *   time just before it.
 */
export interface ReportWindow extends TimeRange {
  /** The end asked for lies after now, so `until` is now: the window so far. */
  soFar: boolean;
  /** `--until` as typed when it is a date (inclusive) and not after now (ReportQuery.untilAsGiven). */
  untilAsGiven?: string;
  /** What `--compare previous` compares with. */
  previous: TimeRange;
}

export function reportWindow(input: TimeRangeInput, ctx: TimeRangeContext): ReportWindow {
  const now = ctx.clock();
  const fixed: Clock = () => now;
  const range = parseTimeRange(input, { ...ctx, clock: fixed });
  const period = input.since === undefined ? undefined : namedPeriodOf(input.since, now, ctx.timeZone);
  const askedEnd = input.until !== undefined ? range.until : (period?.end ?? now);
  const until = Math.min(range.until, now);
  if (range.since >= until) {
    const names = ctx.names ?? { since: '--since', until: '--until' };
    throw new UsageError(
      `${names.since} "${input.since}" (${new Date(range.since).toISOString()}) is after now (${new Date(now).toISOString()}): a report covers calls recorded so far; use an earlier ${names.since}.`,
    );
  }
  const soFar = askedEnd > now;
  const window: ReportWindow = { since: range.since, until, soFar, previous: previousRange({ since: range.since, until }) };
  if (period !== undefined && askedEnd <= period.end) {
    const whole = !soFar && until === period.end;
    window.previous = { since: period.previousStart, until: whole ? period.start : Math.min(period.previousStart + (until - range.since), period.start) };
  }
  const asGiven = untilDateAsGiven(input.until);
  if (asGiven !== undefined && !soFar) window.untilAsGiven = asGiven;
  return window;
}

/** The period of the same length that ends where this one starts. */
export function previousRange(r: TimeRange): TimeRange {
  return { since: r.since - (r.until - r.since), until: r.since };
}
