/**
 * Money is integer nano-USD (1 USD = 1e9 nano-USD) everywhere inside tokometer.
 * Floats appear only at the edges: parsing a price from a catalog or config, and
 * formatting dollars for people.
 */
export type NanoUsd = number;

export const NANO_PER_USD = 1_000_000_000;

/**
 * The largest dollar amount a limit may be: money math stays exact in integer nano-USD
 * up to Number.MAX_SAFE_INTEGER (~9.007e15 nano, ~$9.007M). Config, admin API and CLI
 * refuse larger limits instead of storing a rounded or infinite one.
 */
export const MAX_LIMIT_USD = 9_000_000;

/**
 * What is wrong with a positive limit of `usd` dollars that rounds to 0 nano-USD (under half
 * a nano-dollar), or null when there is nothing wrong: stored, it would be a cap of 0 that
 * refuses every call, which nobody means by writing 0.0000000001. The one rule for the
 * config's limit_usd, `keys create/set --budget` and the admin API; `written` is the
 * amount as the reader wrote it (quoted or not, as the caller shows it).
 */
export function subNanoLimitProblem(usd: number, written: string): string | null {
  return usd > 0 && usdToNano(usd) === 0 ? `${written} is below one nano-dollar ($0.000000001); use 0 for a cap that refuses every call` : null;
}

/** `usd` in plain decimals, as a person writes it (0.0000000001, not 1e-10): for messages that quote a limit back. */
export function plainUsd(usd: number): string {
  return usd.toLocaleString('en-US', { maximumFractionDigits: 20, useGrouping: false });
}

/** Converts a dollar amount (as typed by a person or read from config) to nano-USD, rounded half away from zero. */
export function usdToNano(usd: number): NanoUsd {
  return Math.round(usd * NANO_PER_USD);
}

/** nano-USD to a float dollar amount, for JSON output and display only. */
export function nanoToUsd(nano: NanoUsd): number {
  return nano / NANO_PER_USD;
}

/**
 * `spent of limit` for budget messages: the limit as formatUsd writes it, the spend with as
 * many decimals (2 to 9) as it takes not to read as the limit when it is not
 * (`$0.014 of $0.01`, `$0.999 of $1.00`, `$5,000.003 of $5,000.00`; spend is never
 * negative); a spend under $1 to three significant digits (`$0.015 of $0.01`, not `$0.02`:
 * at cents it could read a third off), else as formatUsd when they differ at cents or are equal.
 */
export function formatSpentOf(spentNano: NanoUsd, limitNano: NanoUsd): string {
  return `${formatSpentBeside(spentNano, limitNano)} of ${formatUsd(limitNano)}`;
}

/** The spend part of formatSpentOf alone (`$0.0617` beside a limit of `$0.05`): for text that writes the limit its own way (`keys list`: `$0.05/day`). */
export function formatSpentBeside(spentNano: NanoUsd, limitNano: NanoUsd): string {
  const spent = spentNano > 0 && spentNano < NANO_PER_USD ? significantUsd(spentNano) : formatUsd(spentNano);
  if (spent !== formatUsd(limitNano) || spentNano === limitNano) return spent;
  const usd = spentNano / NANO_PER_USD;
  let decimals = 3;
  while (decimals < 9 && usd.toFixed(decimals) === (limitNano / NANO_PER_USD).toFixed(decimals)) decimals++;
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: decimals })}`;
}

/** A positive amount under $1 to three significant digits (threeSignificant), never fewer than two decimals: `$0.015`, `$0.0673`, `$0.10`. */
function significantUsd(nano: NanoUsd): string {
  const usd = nano / NANO_PER_USD;
  const text = threeSignificant(usd);
  const point = text.indexOf('.');
  return `$${point < 0 || text.length - point - 1 < 2 ? usd.toFixed(2) : text}`;
}

/** A positive dollar amount to 3 significant digits in plain decimals, down to the nano-dollar (toPrecision would write 1.00e-9), trailing zeros dropped. */
function threeSignificant(usd: number): string {
  return usd.toFixed(Math.min(9, 2 - Math.floor(Math.log10(usd)))).replace(/0+$/, '').replace(/\.$/, '');
}

/**
 * Formats nano-USD as dollars for people. Amounts under one cent keep enough
 * decimals to be meaningful ($0.000116) instead of showing $0.00.
 */
export function formatUsd(nano: NanoUsd | null): string {
  if (nano === null) return 'n/a';
  const usd = nano / NANO_PER_USD;
  const abs = Math.abs(usd);
  if (abs === 0) return '$0.00';
  if (abs < 0.01) return `${usd < 0 ? '-' : ''}$${threeSignificant(abs)}`;
  return `${usd < 0 ? '-' : ''}$${abs.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/**
 * The whole percent of `limitNano` that `spentNano` is, rounded down (never above the truth:
 * $0.9999 of $1.00 is 99 %); BigInt, since spend × 100 in nano can pass 2^53 (above
 * $90,000). `fallback` when the limit is 0.
 */
export function wholePercentSpent(spentNano: NanoUsd, limitNano: NanoUsd, fallback: number): number {
  return limitNano > 0 ? Number((BigInt(spentNano) * 100n) / BigInt(limitNano)) : fallback;
}
