/**
 * Budget alert thresholds (`alert_at` in the config and the admin API, `--alert-at` on the
 * command line): fractions of the budget's limit (1 = 100%). Each must be larger than the
 * one before: the three places refuse a list out of order or with a repeated fraction
 * rather than sort it, so the thresholds stored are the ones written.
 */

/**
 * Largest alert fraction (10 = 1,000% of the limit): the config, the admin API and the
 * command line refuse more. Above 1 only a soft budget (which alerts and never refuses) can
 * reach a threshold (config/warnings.ts warns of one on a hard budget), so the bound leaves
 * room for "tell me at 2× or 5× the limit" and refuses what is almost always a percentage
 * written for a fraction (80 for 0.8).
 */
export const MAX_ALERT_FRACTION = 10;

/**
 * Why alert fraction `value` (> MAX_ALERT_FRACTION) is refused: most likely a percentage, so
 * say how to write it. `field`: how the reader named the list (`alert_at` in the config and
 * the admin API, `--alert-at` on the command line).
 */
export function alertFractionTooLarge(value: number, field = 'alert_at'): string {
  const fraction = Number((value / 100).toPrecision(6));
  return `${value} reads as a percentage, but ${field} takes fractions of the limit: write ${fraction} for ${value}% (1 = 100%; at most ${MAX_ALERT_FRACTION}, an alert at ${MAX_ALERT_FRACTION} times the limit of a soft budget)`;
}

/** True when every fraction is larger than the one before it (an empty or one-element list too). */
export function isStrictlyIncreasing(fractions: readonly number[]): boolean {
  return fractions.every((v, i) => i === 0 || fractions[i - 1]! < v);
}
