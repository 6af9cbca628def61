import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';

const parse = (text: string) => parseConfigText(text, { file: 'x.yaml', env: {} });

describe('budget_admission_wait_ms', () => {
  it('defaults to 30 s and takes 0 (no wait)', () => {
    expect(parse('{}').budget_admission_wait_ms).toBe(30_000);
    expect(parse('budget_admission_wait_ms: 0\n').budget_admission_wait_ms).toBe(0);
  });

  it('refuses negative or fractional values with file, line and field', () => {
    expect(() => parse('budget_admission_wait_ms: -1\n')).toThrow(/x\.yaml:1:\d+: budget_admission_wait_ms: /);
    expect(() => parse('budget_admission_wait_ms: 1.5\n')).toThrow(/budget_admission_wait_ms/);
    expect(() => parse('budget_admission_wait_ms: 86400000\n')).toThrow(/budget_admission_wait_ms: at most 3600000/);
  });

  it('points a user who writes it under budgets: to the top-level key', () => {
    expect(() => parse('budgets:\n  admission_wait_ms: 0\n')).toThrow(/x\.yaml:2:\d+: budgets: expected a list of tag budgets; the admission wait is set at the top level: budget_admission_wait_ms/);
  });
});
