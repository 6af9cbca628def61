/**
 * Budget alert thresholds (`alert_at` in the config and the admin API, `--alert-at` on the
 * command line): fractions of the budget's limit (1 = 100%). Each must be larger than the
 * one before: the three places refuse a list out of order or with a repeated fraction
 * rather than sort it, so the thresholds stored are the ones written.
 */

/** Largest alert fraction (10 = 1,000% of the limit): the config, the admin API and the command line refuse more. */
export const MAX_ALERT_FRACTION = 10;

/** True when every fraction is larger than the one before it (an empty or one-element list too). */
export function isStrictlyIncreasing(fractions: readonly number[]): boolean {
  return fractions.every((v, i) => i === 0 || fractions[i - 1]! < v);
}
