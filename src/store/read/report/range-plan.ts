import { bucketBounds } from '../../../lib/calendar.js';
import { HOUR_MS, hourOf } from '../../rollup-policy.js';
import { TIME_DIMENSIONS, type TimeDimension } from '../dimensions.js';
import type { TimeRange } from './types.js';

/**
 * How a report range splits between rollup hours and raw rows.
 *
 * Rollups hold whole UTC hours. An hour is read from rollups when it lies inside the
 * range and no report boundary cuts it. An hour that a boundary cuts — the range's own
 * ends when they are not on the hour, and with --by day/week/month in a zone with a
 * half- or quarter-hour offset (Asia/Kolkata +5:30) every local bucket boundary — is read
 * from raw rows for exactly the part inside the range, so such reports are exact too.
 *
 * Retention: once raw rows of a cut hour are pruned (hour < rawSince) only its rollup is
 * left, and the whole hour counts where its start falls: inside the range (and in the
 * local bucket containing its start) or not at all. Consecutive reports then still add
 * up to the same total; only calls of that one hour can move to the neighbouring bucket
 * or period. Whole-hour zones never cut an hour at a bucket boundary.
 */
export interface RangePlan {
  /** Rollup hours h with from ≤ h < to (both whole UTC hours), except those in `skip`. */
  from: number;
  to: number;
  /** Hours in [from, to) read from raw rows instead; ascending. */
  skip: number[];
  /** Raw-row slices [since, until), ascending and disjoint, each within one UTC hour or merged across adjacent ones. */
  raw: TimeRange[];
}

/** Most local buckets scanned for boundaries (a --by day report over ~27 years). */
const MAX_BOUNDARIES = 10_000;

const ceilHour = (t: number) => (t % HOUR_MS === 0 ? t : hourOf(t) + HOUR_MS);

/**
 * @param span the rolled-up hours that exist ([firstHour, lastHour + 1h)); limits the
 *   boundary scan of wide ranges. Boundaries outside it cut no data.
 */
export function planRange(range: TimeRange, by: readonly string[], timeZone: string, rawSince: number, span: TimeRange | null): RangePlan {
  const { since, until } = range;
  const cut = new Set<number>();
  if (since % HOUR_MS !== 0) cut.add(hourOf(since));
  if (until % HOUR_MS !== 0) cut.add(hourOf(until));
  const finest = TIME_DIMENSIONS.find((d) => by.includes(d));
  if (finest && span) {
    for (const b of boundaries(finest, Math.max(since, span.since), Math.min(until, span.until), timeZone)) {
      if (b % HOUR_MS !== 0) cut.add(hourOf(b));
    }
  }
  const from = ceilHour(since);
  const to = ceilHour(until);
  const skip: number[] = [];
  const raw: TimeRange[] = [];
  for (const h of [...cut].sort((a, b) => a - b)) {
    if (h < rawSince) continue;
    if (h >= from && h < to) skip.push(h);
    const slice = { since: Math.max(h, since), until: Math.min(h + HOUR_MS, until) };
    const last = raw[raw.length - 1];
    if (last && last.until === slice.since) last.until = slice.until;
    else raw.push(slice);
  }
  return { from, to, skip, raw };
}

/** Local bucket boundaries strictly inside (from, to). */
function boundaries(dim: TimeDimension, from: number, to: number, timeZone: string): number[] {
  const out: number[] = [];
  if (!(from < to)) return out;
  let next = bucketBounds(dim, from, timeZone)[1];
  while (next < to && out.length < MAX_BOUNDARIES) {
    out.push(next);
    next = bucketBounds(dim, next, timeZone)[1];
  }
  return out;
}
