import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { proxySettings } from '../../src/config/proxy-settings.js';
import { configCheck } from './config-cli.js';

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

  it('tokometer config check accepts history and window and refuses another value at its line, exit 2', async () => {
    expect(await configCheck('budget_output_hold: window\n')).toMatchObject({ code: 0 });
    expect(await configCheck('budget_output_hold: history\n')).toMatchObject({ code: 0 });
    const bad = await configCheck('budget_admission_wait_ms: 0\nbudget_output_hold: hard\n');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/tokometer\.yaml:2:\d+: budget_output_hold: expected one of "history", "window", got "hard"/);
  });
});
