/**
 * How the screen is divided: which arrangement, and how many rows each panel gets. Pure.
 *
 * The frame is at most `rows - 1` lines tall: Ink clears the whole terminal before every
 * frame that fills the screen, which flickers, and redraws only what changed otherwise.
 *
 * Narrow (< WIDE_COLUMNS): one column — title, figures, spend table, budgets, trend, tail,
 * alerts, key line. Wide: spend table beside budgets + trend, tail beside alerts.
 * Each list gets a minimum, then spare rows go by weight to the lists that have more to show.
 * Across, two panels side by side share the width by what they need (shareRow).
 */

/** Terminal size in character cells. */
export interface Size {
  columns: number;
  rows: number;
}

/** How many rows each list could use (its data), so spare room goes where it is useful. */
export interface Wants {
  table: number;
  budgets: number;
  tail: number;
  alerts: number;
}

export interface Layout {
  wide: boolean;
  width: number;
  /** Width of the left and right columns when wide (the whole width otherwise). */
  left: number;
  right: number;
  tableRows: number;
  budgetRows: number;
  tailRows: number;
  alertRows: number;
}

/** The size the layout is designed for; smaller terminals get the minimums, cut. */
export const MIN_SIZE: Size = { columns: 80, rows: 24 };
/** Below this the layout stops shrinking (lines are cut by the terminal instead). */
const FLOOR: Size = { columns: 40, rows: 12 };
export const WIDE_COLUMNS = 120;
/** Lines besides the lists in the narrow arrangement: title, figures, 4 panel titles, trend, key line. */
const NARROW_FIXED = 8;
/** Wide: title, figures, key line, 2 panel-title lines, and the trend (title + line) under the budgets. */
const WIDE_FIXED = 7;

interface Slot {
  min: number;
  want: number;
  weight: number;
}

/**
 * Splits `total` rows: first every slot's minimum (as far as they go), then the rest one
 * row at a time to the slot with the most weight per row already given, skipping slots
 * that have all they want. Returns one count per slot; the sum never exceeds `total`.
 */
export function allocate(total: number, slots: readonly Slot[]): number[] {
  const out = slots.map(() => 0);
  let left = Math.max(0, total);
  for (let i = 0; i < slots.length && left > 0; i++) {
    out[i] = Math.min(slots[i]!.min, left);
    left -= out[i]!;
  }
  while (left > 0) {
    let best = -1;
    for (let i = 0; i < slots.length; i++) {
      if (out[i]! >= slots[i]!.want) continue;
      if (best === -1 || slots[i]!.weight / (out[i]! + 1) > slots[best]!.weight / (out[best]! + 1)) best = i;
    }
    if (best === -1) break;
    out[best]!++;
    left--;
  }
  return out;
}

export function layoutFor(size: Size, wants: Wants): Layout {
  const width = Math.max(FLOOR.columns, size.columns);
  const height = Math.max(FLOOR.rows, size.rows) - 1;
  if (width < WIDE_COLUMNS) {
    const [table, budgets, tail, alerts] = allocate(height - NARROW_FIXED, [
      { min: 3, want: Math.max(3, wants.table), weight: 4 },
      { min: 1, want: Math.max(1, wants.budgets), weight: 2 },
      { min: 2, want: Math.max(2, wants.tail), weight: 3 },
      { min: 1, want: Math.max(1, wants.alerts), weight: 1 },
    ]);
    return { wide: false, width, left: width, right: width, tableRows: table!, budgetRows: budgets!, tailRows: tail!, alertRows: alerts! };
  }
  const body = height - WIDE_FIXED;
  const left = Math.floor((width - 2) / 2);
  const right = width - 2 - left;
  // The top row holds the table beside the budgets; the bottom row the tail beside the alerts.
  const [top, bottom] = allocate(body, [
    { min: 3, want: Math.max(3, wants.table, wants.budgets), weight: 3 },
    { min: 2, want: Math.max(2, wants.tail, wants.alerts), weight: 2 },
  ]);
  return {
    wide: true,
    width,
    left,
    right,
    tableRows: top! + 2,
    budgetRows: top!,
    tailRows: bottom!,
    alertRows: bottom!,
  };
}

/**
 * Columns for two panels side by side in `width` columns, 2 apart: halves, unless a side
 * needs less. When both needs fit, each gets its need and the spare columns are split evenly;
 * else a side that needs less than its half gets its need (never below `floor`) and the
 * other side the rest. Needs are in columns; Infinity for a side that uses any width.
 * The two widths always add up to `width - 2`.
 */
export function shareRow(width: number, left: { need: number; floor?: number }, right: { need: number; floor?: number }): [number, number] {
  const room = width - 2;
  const half = Math.floor(room / 2);
  const l = Math.max(left.need, left.floor ?? 0);
  const r = Math.max(right.need, right.floor ?? 0);
  if (l + r <= room) {
    const spare = room - l - r;
    return [l + Math.floor(spare / 2), r + Math.ceil(spare / 2)];
  }
  if (r < room - half) return [room - r, r];
  if (l < half) return [l, room - l];
  return [half, room - half];
}
