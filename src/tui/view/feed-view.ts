import { instanceSuffix } from '../../budget/instance-name.js';
import { wholePercentSpent } from '../../lib/money.js';
import { formatLatency, formatMoney, knownAmount } from '../../report/format/text.js';
import { costKnown } from '../../report/known-cost.js';
import { sumCostCounts } from '../../store/measures.js';
import { startOfDay } from '../../report/tz.js';
import { tagKeyOf } from '../../report/types.js';
import { PREFERRED_TAGS } from '../dimensions.js';
import type { AlertRow, TailCall, TrendPoint } from '../types.js';
import { cell, clockTime, fit, shortStamp, sparkline, textWidth, truncate, type Line } from './text.js';

/** The live tail, the alerts list and the daily trend as display lines. */

export interface ListView {
  title: Line;
  rows: Line[];
}

/**
 * `feature=summarizer user_tier=free …`: the product's usual tags first, the rest
 * alphabetically; the keys in `leaveOut` (shown elsewhere on the line, or the same on every
 * line) are not repeated.
 */
export function tagsText(tags: Readonly<Record<string, string>>, leaveOut: readonly string[] = []): string {
  const rank = (k: string) => (PREFERRED_TAGS.includes(k) ? PREFERRED_TAGS.indexOf(k) : PREFERRED_TAGS.length);
  return Object.entries(tags)
    .filter(([k]) => !leaveOut.includes(k))
    .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/**
 * Widths of the tail's text columns, in cells: each grows up to its longest value but no
 * further than its max (a full dated model name such as `claude-sonnet-4-5-20250929` fits),
 * narrows to its floor before it is left out. Below TAGS_FLOOR cells the tags are left out.
 */
const MODEL = { max: 40, floor: 8 };
const GROUP = { max: 20, floor: 6 };
const TAGS_FLOOR = 8;

/** The call's value in the group-by dimension: a tag's value (`tag:model` is the tag model); for a built-in dimension (the model has its own column, the tail knows no provider) the key's name. */
export function groupValue(c: TailCall, group: string): string {
  const tag = tagKeyOf(group);
  return (tag === null ? c.keyName : c.tags[tag]) ?? '—';
}

/**
 * Splits `room` cells between columns in priority order (each with its two-space
 * separator): first every column's floor, as far as they go (a column whose floor does not
 * fit gets 0, i.e. is left out); then each in turn grows up to its want. Returns the widths.
 */
export function byPriority(room: number, columns: ReadonlyArray<{ want: number; floor: number }>): number[] {
  const widths = columns.map((c) => {
    const floor = Math.min(c.floor, c.want);
    if (floor <= 0 || room < floor + 2) return 0;
    room -= floor + 2;
    return floor;
  });
  return widths.map((w, i) => {
    const grow = w > 0 ? Math.min(columns[i]!.want - w, room) : 0;
    room -= grow;
    return w + grow;
  });
}

/**
 * Newest calls first: time, the call's group value (`groupValue` for `ctx.group`, by default
 * the key), model, cost, latency, then the tags (a non-2xx status leads them, in red),
 * leaving out the group's tag and `ctx.sameTags` (the tags the scope fixes). Width goes by
 * priority: time, cost and latency are never cut; then the model (up to its full name), a
 * failed call's status (whole), the group value, and the tags get what is left.
 */
export function tailView(
  tail: readonly TailCall[] | null,
  ctx: { rows: number; width: number; timeZone: string; now: number; note: string | null; group?: string; sameTags?: readonly string[] },
): ListView {
  const title: Line = [cell('Live tail', 'strong'), cell('  latest calls, newest first', 'muted')];
  if (tail === null) return { title, rows: [[cell(ctx.note ?? 'No call feed from this source.', 'muted')]] };
  if (tail.length === 0) return { title, rows: [[cell('No calls yet in this period and scope.', 'muted')]] };
  const shown = tail.slice(0, ctx.rows);
  const group = ctx.group ?? 'key';
  // Today's calls by time of day; older ones with their date.
  const today = startOfDay(ctx.now, ctx.timeZone);
  const times = shown.map((c) => (c.ts >= today ? clockTime(c.ts, ctx.timeZone) : shortStamp(c.ts, ctx.timeZone)));
  const costs = shown.map((c) => (c.costNano !== null ? formatMoney(c.costNano) : c.usageUnknown ? 'unknown' : 'unpriced'));
  const lats = shown.map((c) => formatLatency(Math.round(c.latencyMs)));
  const groups = shown.map((c) => groupValue(c, group));
  const shownTag = tagKeyOf(group);
  const leaveOut = [...(shownTag === null ? [] : [shownTag]), ...(ctx.sameTags ?? [])];
  const statuses = shown.map((c) => (failed(c) ? `[${c.status}]` : ''));
  const tags = shown.map((c) => tagsText(c.tags, leaveOut));
  const numbersW = widest(times) + 2 + widest(costs) + 2 + widest(lats);
  const room = ctx.width - numbersW;
  const [modelW = 0, statusW = 0, groupW = 0] = byPriority(room, [
    { want: Math.min(MODEL.max, Math.max(5, widest(shown.map((c) => c.model ?? '—')))), floor: MODEL.floor },
    { want: widest(statuses), floor: widest(statuses) },
    { want: Math.min(GROUP.max, Math.max(3, widest(groups))), floor: GROUP.floor },
  ]);
  const left = room - [modelW, statusW, groupW].reduce((sum, w) => sum + (w > 0 ? w + 2 : 0), 0);
  // The tags follow the status in its column (`[502] feature=…`), or take one of their own.
  const tagsW = statusW > 0 ? (left - 1 >= TAGS_FLOOR ? left - 1 : 0) : left - 2 >= Math.min(TAGS_FLOOR, widest(tags)) ? left - 2 : 0;
  const trailW = statusW > 0 ? statusW + (tagsW > 0 ? 1 + tagsW : 0) : tagsW;
  return {
    title,
    rows: shown.map((c, i) => {
      const line: Line = [cell(fit(times[i]!, widest(times)), 'muted')];
      if (groupW > 0) line.push(cell('  ' + fit(groups[i]!, groupW)));
      if (modelW > 0) line.push(cell('  ' + fit(c.model ?? '—', modelW), 'accent'));
      line.push(cell('  ' + fit(costs[i]!, widest(costs), 'right'), c.costNano === null ? 'warn' : 'strong'), cell('  ' + fit(lats[i]!, widest(lats), 'right')));
      const status = statusW > 0 ? statuses[i]! : '';
      const tagRoom = trailW - (status ? textWidth(status) + 1 : 0);
      const shownTags = tags[i] !== '' && tagRoom >= Math.min(TAGS_FLOOR, textWidth(tags[i]!)) ? truncate(tags[i]!, tagRoom) : '';
      const trail = [status, shownTags].filter((t) => t !== '').join(' ');
      if (trail !== '') line.push(cell('  ' + trail, failed(c) ? 'bad' : 'muted'));
      return line;
    }),
  };
}

const failed = (c: TailCall) => c.status < 200 || c.status >= 300;

/** Display width of the widest text. */
function widest(texts: readonly string[]): number {
  return Math.max(0, ...texts.map(textWidth));
}

/** Latest budget alerts, each budget's instance named as serve's log lines name it (instanceSuffix); a threshold at or past the limit is red, earlier ones yellow. */
export function alertsView(alerts: readonly AlertRow[] | null, ctx: { rows: number; width: number; timeZone: string; notes: readonly string[] }): ListView {
  const title: Line = [cell('Alerts', 'strong'), cell('  budget thresholds crossed, newest first', 'muted')];
  if (alerts === null || alerts.length === 0) {
    const text = alerts === null ? (ctx.notes.find((n) => /alert/i.test(n)) ?? 'No alerts from this source.') : 'No budget alerts yet.';
    return { title, rows: [[cell(text, 'muted')]] };
  }
  return {
    title,
    rows: alerts.slice(0, ctx.rows).map((a) => {
      const who = a.budget + instanceSuffix(a.per, a.tagValue);
      // As serve's log line (budget/alerts.ts alertLine): a call that took the spend past the threshold "passed" it.
      const threshold = Math.round(a.threshold * 100);
      const now = wholePercentSpent(a.spentNano, a.limitNano, threshold);
      const crossing = now > threshold ? `passed ${threshold}% (now ${now}%)` : `reached ${threshold}%`;
      return [
        cell(shortStamp(a.at, ctx.timeZone), 'muted'),
        cell(`  ${a.kind} budget ${who} ${crossing}`, a.threshold >= 1 ? 'bad' : 'warn'),
        cell(`  ${formatMoney(a.spentNano)} of ${formatMoney(a.limitNano)}`),
      ];
    }),
  };
}

/**
 * The daily trend: a label, a sparkline as wide as fits, and the peak day. One line, or two
 * when `split`. The peak reads as report's total (spendText): `—` when none of the period's
 * calls has a cost, marked `*` when some have none (any day's real cost may be higher).
 */
export function trendView(trend: readonly TrendPoint[], ctx: { width: number; split: boolean }): Line[] {
  const label = cell(ctx.split ? 'Daily spend ' : 'Daily ', 'strong');
  if (trend.length === 0) return [[label, cell('no days in this period', 'muted')]];
  let peak = trend[0]!;
  for (const p of trend) if (p.costNano > peak.costNano) peak = p;
  const last = trend[trend.length - 1]!;
  const all = sumCostCounts(trend);
  const facts = cell(costKnown(all) ? `  peak ${knownAmount(peak.costNano, all, false)} (${peak.day.slice(5)})` : '  peak —', 'muted');
  const room = ctx.split ? ctx.width : ctx.width - label.text.length - facts.text.length;
  const spark = cell(sparkline(trend.map((p) => p.costNano), Math.max(7, room)), 'accent');
  return ctx.split ? [[label, cell(`${trend[0]!.day} → ${last.day}`, 'muted'), facts], [spark]] : [[label, spark, facts]];
}
