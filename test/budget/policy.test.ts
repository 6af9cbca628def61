import { describe, expect, it } from 'vitest';
import { decide, type Decision } from '../../src/budget/policy.js';

describe('decide(spent, reserved, limit, estimate)', () => {
  const table: [number, number, number, number, Decision, string][] = [
    // spent, reserved, limit, estimate, expected, why
    [0, 0, 100, 10, 'allow', 'plenty of room'],
    [0, 0, 100, 1000, 'allow', 'nothing in flight: a big estimate cannot deadlock the budget'],
    [99, 0, 100, 1000, 'allow', 'nothing in flight and spent < limit'],
    [100, 0, 100, 0, 'block', 'spent reached the limit'],
    [150, 0, 100, 1, 'block', 'spent beyond the limit'],
    [0, 0, 0, 0, 'block', 'a $0 budget blocks everything'],
    [50, 40, 100, 10, 'allow', 'fits exactly beside the calls in flight'],
    [50, 40, 100, 11, 'wait', 'would exceed the limit with calls in flight: wait for them, never refuse'],
    [0, 1, 100, 1000, 'wait', 'a big estimate waits while others are in flight'],
    [99, 1, 100, 5, 'wait', 'room is short only because of a call in flight'],
    [100, 1, 100, 0, 'block', 'spent reached the limit: refused even with calls in flight'],
    [99, 1, 100, 0, 'allow', 'zero estimate fits'],
  ];

  it.each(table)('spent=%i reserved=%i limit=%i estimate=%i → %s (%s)', (spent, reserved, limit, estimate, expected) => {
    expect(decide(spent, reserved, limit, estimate)).toBe(expected);
  });
});
