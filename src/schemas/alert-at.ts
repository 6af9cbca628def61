import { z } from 'zod';
import { MAX_ALERT_FRACTION, alertFractionTooLarge, isStrictlyIncreasing } from '../domain/alert-at.js';

/**
 * `alert_at` as the config file and the admin API accept it (domain/alert-at.ts): positive
 * fractions of the limit, at most MAX_ALERT_FRACTION, strictly ascending. One too large is
 * told as the percentage it most likely is (`80 reads as a percentage …`), not as a bare bound.
 */
export const alertFractions = z
  .array(
    z
      .number()
      .positive()
      .max(MAX_ALERT_FRACTION, { error: (issue) => (typeof issue.input === 'number' ? alertFractionTooLarge(issue.input) : undefined) }),
  )
  .refine(isStrictlyIncreasing, { message: 'must be in strictly ascending order, e.g. [0.5, 0.8, 1]' });
