import { describe, expect, it } from 'vitest';
import { formatUsd } from '../../src/lib/money.js';

describe('formatUsd (budget messages, alerts, keys list)', () => {
  it('writes amounts under a cent in plain decimals to 3 significant digits, down to the nano-dollar, never in exponent form', () => {
    expect(formatUsd(1)).toBe('$0.000000001');
    expect(formatUsd(500)).toBe('$0.0000005');
    expect(formatUsd(1_500)).toBe('$0.0000015');
    expect(formatUsd(123_456)).toBe('$0.000123');
    expect(formatUsd(-700)).toBe('-$0.0000007');
    expect(formatUsd(9_990_000)).toBe('$0.00999');
  });

  it('cents and up as before', () => {
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(null)).toBe('n/a');
    expect(formatUsd(10_000_000)).toBe('$0.01');
    expect(formatUsd(500_000_000_000)).toBe('$500.00');
    expect(formatUsd(1_234_567_890_000)).toBe('$1,234.57');
  });
});
