import { describe, expect, it } from 'vitest';
import { numberPlaceholders } from '../../src/store/drivers/pg-placeholders.js';

describe('numberPlaceholders (? to $n for PostgreSQL)', () => {
  const cases: Array<[string, string, number]> = [
    ['SELECT 1', 'SELECT 1', 0],
    ['a = ? AND b IN (?, ?)', 'a = $1 AND b IN ($2, $3)', 3],
    ["v = '?' AND w = ?", "v = '?' AND w = $1", 1],
    ["v = 'it''s ?' AND w = ?", "v = 'it''s ?' AND w = $1", 1],
    ["v = E'\\'?' AND w = ?", "v = E'\\'?' AND w = $1", 1],
    ["v = e'a\\\\' AND w = ?", "v = e'a\\\\' AND w = $1", 1],
    ['"col?" = ? -- why?\n AND x = ?', '"col?" = $1 -- why?\n AND x = $2', 2],
    ['/* ? /* nested ? */ still ? */ x = ?', '/* ? /* nested ? */ still ? */ x = $1', 1],
    ['$$ body ? $$ || ?', '$$ body ? $$ || $1', 1],
    ['$fn$ a ? $x$ b ? $fn$ || ?', '$fn$ a ? $x$ b ? $fn$ || $1', 1],
    ["'unterminated ?", "'unterminated ?", 0],
  ];
  for (const [sql, text, count] of cases) {
    it(JSON.stringify(sql), () => {
      expect(numberPlaceholders(sql)).toEqual({ text, count });
    });
  }
});
