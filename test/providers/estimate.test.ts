import { describe, expect, it } from 'vitest';
import { estimateTokens } from '../../src/providers/estimate.js';

describe('estimateTokens', () => {
  it('is about one token per 4 characters, rounded up', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('a')).toBe(1);
    expect(estimateTokens('abcd')).toBe(1);
    expect(estimateTokens('abcde')).toBe(2);
    expect(estimateTokens('Paris is the capital of France.')).toBe(8);
  });
});
