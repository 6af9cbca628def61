import { describe, expect, it } from 'vitest';
import { formatSpentOf } from '../../src/lib/money.js';

/**
 * Budget messages (the 429 body, serve's alert and refusal lines) write a spend under $1 to
 * the cent when it differs from its limit there: a trial's 429 said "$0.02 of $0.01 used
 * today" beside "spent_usd": 0.015 (a third more than was spent), and another saw "$0.07 of
 * $0.05" for $0.067275 next to "$0.051" for a spend that happened to round to the limit. A
 * spend under $1 now gets three significant digits (never fewer than two decimals), as
 * report writes amounts under a cent; amounts of $1 or more keep cents.
 */
describe('formatSpentOf: a spend under $1 to three significant digits', () => {
  it.each([
    [15_000_000, 10_000_000, '$0.015 of $0.01'],
    [67_275_000, 50_000_000, '$0.0673 of $0.05'],
    [51_000_000, 50_000_000, '$0.051 of $0.05'],
    [60_000_000, 50_000_000, '$0.06 of $0.05'],
    [100_000_000, 50_000_000, '$0.10 of $0.05'],
    [999_000_000, 1_000_000_000, '$0.999 of $1.00'],
    [10_010_000, 10_000_000, '$0.01001 of $0.01'],
    [4_050_000, 4_000_000, '$0.00405 of $0.004'],
    [50_000_000, 50_000_000, '$0.05 of $0.05'],
    [400_000_000_000, 500_000_000_000, '$400.00 of $500.00'],
    [1_234_567_000, 1_000_000_000, '$1.23 of $1.00'],
  ])('%i of %i nano-USD reads %s', (spent, limit, text) => {
    expect(formatSpentOf(spent, limit)).toBe(text);
  });
});
