import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { proxySettings } from '../../src/config/proxy-settings.js';

const parse = (text: string) => parseConfigText(text, { file: 'x.yaml', env: {} });

describe('budget_output_hold', () => {
  it('defaults to history (the largest output the key had from the model this week) and takes window', () => {
    expect(parse('{}').budget_output_hold).toBe('history');
    expect(proxySettings(parse('{}')).budgetOutputHold).toBe('history');
    expect(parse('budget_output_hold: window\n').budget_output_hold).toBe('window');
    expect(proxySettings(parse('budget_output_hold: window\n')).budgetOutputHold).toBe('window');
  });

  it('refuses another value with file, line, field and both choices', () => {
    expect(() => parse('budget_output_hold: strict\n')).toThrow(/x\.yaml:1:\d+: budget_output_hold: expected one of "history", "window", got "strict"/);
    expect(() => parse('budget_output_hold: 5\n')).toThrow(/x\.yaml:1:\d+: budget_output_hold: expected one of "history", "window"/);
  });
});
