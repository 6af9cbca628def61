import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/lib/errors.js';
import { parseTimeRange } from '../../src/report/time-range.js';
import { offsetSegments, zonedToUtc } from '../../src/report/tz.js';

const t = (iso: string) => Date.parse(iso);
// Wednesday 2026-11-18, 16:45 in Berlin (CET, +01:00).
const NOW = t('2026-11-18T15:45:00Z');
const utc = { clock: () => NOW, timeZone: 'UTC' };
const berlin = { clock: () => NOW, timeZone: 'Europe/Berlin' };

describe('parseTimeRange', () => {
  it('defaults to the last 30 days up to now', () => {
    expect(parseTimeRange({}, utc)).toEqual({ since: NOW - 30 * 86_400_000, until: NOW });
  });

  it.each([
    ['5m', 5 * 60_000],
    ['30min', 30 * 60_000],
    ['90m', 90 * 60_000],
    ['24h', 24 * 3_600_000],
    ['7d', 7 * 86_400_000],
    ['30d', 30 * 86_400_000],
    ['2w', 14 * 86_400_000],
  ])('reads the relative span %s as that long before now', (since, ms) => {
    expect(parseTimeRange({ since }, berlin)).toEqual({ since: NOW - ms, until: NOW });
  });

  it('reads calendar words in the configured zone', () => {
    expect(parseTimeRange({ since: 'today' }, utc)).toEqual({ since: t('2026-11-18T00:00:00Z'), until: NOW });
    expect(parseTimeRange({ since: 'today' }, berlin)).toEqual({ since: t('2026-11-17T23:00:00Z'), until: NOW });
    expect(parseTimeRange({ since: 'yesterday' }, berlin)).toEqual({ since: t('2026-11-16T23:00:00Z'), until: t('2026-11-17T23:00:00Z') });
    expect(parseTimeRange({ since: 'this-week' }, utc)).toEqual({ since: t('2026-11-16T00:00:00Z'), until: NOW });
    expect(parseTimeRange({ since: 'last-week' }, utc)).toEqual({ since: t('2026-11-09T00:00:00Z'), until: t('2026-11-16T00:00:00Z') });
    expect(parseTimeRange({ since: 'this-month' }, berlin)).toEqual({ since: t('2026-10-31T23:00:00Z'), until: NOW });
    // October starts in summer time (+02:00) and ends in winter time (+01:00).
    expect(parseTimeRange({ since: 'last-month' }, berlin)).toEqual({ since: t('2026-09-30T22:00:00Z'), until: t('2026-10-31T23:00:00Z') });
  });

  it('takes last-month across a year boundary', () => {
    const jan = { clock: () => t('2026-01-15T12:00:00Z'), timeZone: 'UTC' };
    expect(parseTimeRange({ since: 'last-month' }, jan)).toEqual({ since: t('2025-12-01T00:00:00Z'), until: t('2026-01-01T00:00:00Z') });
  });

  it('lets an explicit --until override the end a named period implies', () => {
    expect(parseTimeRange({ since: 'last-month', until: '2026-11-05' }, utc)).toEqual({
      since: t('2026-10-01T00:00:00Z'),
      until: t('2026-11-06T00:00:00Z'),
    });
  });

  it('reads dates as local midnight, and an --until date as inclusive', () => {
    expect(parseTimeRange({ since: '2026-11-01', until: '2026-11-30' }, utc)).toEqual({
      since: t('2026-11-01T00:00:00Z'),
      until: t('2026-12-01T00:00:00Z'),
    });
    expect(parseTimeRange({ since: '2026-11-01', until: '2026-11-10' }, berlin)).toEqual({
      since: t('2026-10-31T23:00:00Z'),
      until: t('2026-11-10T23:00:00Z'),
    });
  });

  it('reads timestamps as local wall time unless they carry a zone', () => {
    expect(parseTimeRange({ since: '2026-11-01T09:30' }, berlin).since).toBe(t('2026-11-01T08:30:00Z'));
    expect(parseTimeRange({ since: '2026-11-01 09:30:15' }, berlin).since).toBe(t('2026-11-01T08:30:15Z'));
    expect(parseTimeRange({ since: '2026-11-01T09:30:00Z' }, berlin).since).toBe(t('2026-11-01T09:30:00Z'));
    expect(parseTimeRange({ since: '2026-11-01T09:30:00.250+05:30' }, berlin).since).toBe(t('2026-11-01T04:00:00.250Z'));
    expect(parseTimeRange({ since: '7d', until: 'now' }, berlin).until).toBe(NOW);
  });

  it('handles the DST switch: local midnights on both sides', () => {
    const range = parseTimeRange({ since: '2026-03-29', until: '2026-03-29' }, berlin);
    expect(range).toEqual({ since: t('2026-03-28T23:00:00Z'), until: t('2026-03-29T22:00:00Z') });
    expect(range.until - range.since).toBe(23 * 3_600_000);
  });

  it.each([
    [{ since: 'yesterdayish' }, /--since "yesterdayish" is not a time/],
    [{ since: '7x' }, /Use a relative span \(30m, 24h, 7d, 2w\)/],
    // Seconds are no span a spend report takes (the TUI's live tail shows the latest calls).
    [{ since: '30s' }, /--since "30s" is not a time\. Use a relative span \(30m, 24h, 7d, 2w\)/],
    // `m` is minutes; months are the named periods this-month and last-month.
    [{ since: '1mo' }, /--since "1mo" is not a time/],
    // A capital M (months in some tools) is refused, never read as 3 minutes.
    [{ since: '3M' }, /--since "3M" is not a time \(m is minutes; for months use this-month, last-month or a date\)\. Use a relative span/],
    [{ since: '2026-02-30' }, /is not a calendar date/],
    [{ until: '2026-11-01T25:00' }, /--until .* is not a valid timestamp/],
    [{ since: '' }, /is not a time/],
    [{ since: '2026-11-20', until: '2026-11-10' }, /--since .* must be before --until/],
    [{ since: 'now' }, /must be before --until/],
  ])('rejects %j with a UsageError that says what is accepted', (input, message) => {
    expect(() => parseTimeRange(input, berlin)).toThrow(UsageError);
    expect(() => parseTimeRange(input, berlin)).toThrow(message);
  });

  it('names the bounds as the caller spells them: --since for the CLI, since for a query parameter', () => {
    expect(() => parseTimeRange({ since: 'banana' }, utc)).toThrow(/^--since "banana" is not a time\./);
    const query = { ...utc, names: { since: 'since', until: 'until' } };
    expect(() => parseTimeRange({ since: 'banana' }, query)).toThrow(/^since "banana" is not a time\./);
    expect(() => parseTimeRange({ until: '2026-02-30' }, query)).toThrow(/^until "2026-02-30" is not a calendar date\./);
    expect(() => parseTimeRange({ since: 'today', until: '2026-01-01' }, query)).toThrow(/^since "today" \(.*\) must be before until "2026-01-01"/);
  });

  it('rejects an unknown time zone', () => {
    expect(() => parseTimeRange({}, { clock: () => NOW, timeZone: 'Mars/Olympus' })).toThrow(/not a valid IANA time zone/);
  });
});

describe('zone arithmetic', () => {
  it('maps wall times in a DST gap and overlap predictably', () => {
    // 02:30 does not exist on 2026-03-29 in Berlin: read with the earlier offset (= 03:30 CEST).
    expect(zonedToUtc(2026, 3, 29, 2, 30, 0, 0, 'Europe/Berlin')).toBe(t('2026-03-29T01:30:00Z'));
    // 02:30 happens twice on 2026-10-25: the first one wins.
    expect(zonedToUtc(2026, 10, 25, 2, 30, 0, 0, 'Europe/Berlin')).toBe(t('2026-10-25T00:30:00Z'));
  });

  it('splits a range into spans of constant offset at the exact switch', () => {
    const segs = offsetSegments(t('2026-03-01T00:00:00Z'), t('2026-11-30T00:00:00Z'), 'Europe/Berlin');
    expect(segs.map((s) => [new Date(s.from).toISOString(), s.offsetMs / 3_600_000])).toEqual([
      ['2026-03-01T00:00:00.000Z', 1],
      ['2026-03-29T01:00:00.000Z', 2],
      ['2026-10-25T01:00:00.000Z', 1],
    ]);
    expect(offsetSegments(t('2026-03-01T00:00:00Z'), t('2026-11-30T00:00:00Z'), 'UTC')).toHaveLength(1);
  });

  it('ends each span exactly at the switch whatever the milliseconds of the range, and always returns', () => {
    // A range starting mid-second used to put the switch at the same milliseconds (…01:00:00.123Z).
    const berlin = offsetSegments(t('2026-03-01T00:00:00.123Z'), t('2026-11-30T00:00:00Z'), 'Europe/Berlin');
    expect(berlin.map((s) => new Date(s.from).toISOString())).toEqual(['2026-03-01T00:00:00.123Z', '2026-03-29T01:00:00.000Z', '2026-10-25T01:00:00.000Z']);
    // A range ending just after a switch (the calls of a report whose last call came right after
    // it) used to loop for ever: the search in ms stalled with 1–2 s left between its bounds.
    const from = t('2026-09-28T16:29:42.809Z');
    const change = t('2026-11-01T06:00:00Z');
    for (let after = 1; after < 2_600; after += 37) {
      const segs = offsetSegments(from, change + after, 'America/New_York');
      expect(segs, `to = switch + ${after} ms`).toEqual([
        { from, to: change, offsetMs: -4 * 3_600_000 },
        { from: change, to: change + after, offsetMs: -5 * 3_600_000 },
      ]);
    }
  });
});
