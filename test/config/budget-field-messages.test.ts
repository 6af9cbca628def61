import { describe, expect, it } from 'vitest';
import { parseBudget } from '../../src/cli/key-flags.js';
import { ConfigError, UsageError } from '../../src/lib/errors.js';
import { loadYaml as load } from './config-files.js';
import { thrownBy } from './thrown.js';

/**
 * What a new user's trial met in budget fields and section names: a sub-nano `limit_usd`
 * taken by the config though `keys create --budget` refuses it, `alert_at` written in
 * percent, and top-level sections named as other tools name them.
 */

function errorOf(text: string): string {
  return thrownBy(() => load(text, {}), ConfigError).message;
}

const SUB_NANO = 'is below one nano-dollar ($0.000000001); use 0 for a cap that refuses every call';

describe('a limit below one nano-dollar', () => {
  it('is refused in budgets: and keys: as keys create --budget refuses it', () => {
    expect(errorOf('budgets:\n  - name: b\n    limit_usd: 0.0000000001\n')).toBe(`tokometer.yaml:3:16: budgets[0].limit_usd: 0.0000000001 ${SUB_NANO}`);
    expect(errorOf('keys:\n  k:\n    budget: { limit_usd: 0.0000000004 }\n')).toBe(`tokometer.yaml:3:26: keys.k.budget.limit_usd: 0.0000000004 ${SUB_NANO}`);
    expect(thrownBy(() => parseBudget({ budget: '0.0000000001' }, null), UsageError).message).toBe(`--budget '0.0000000001' ${SUB_NANO}`);
  });

  it('leaves 0 (refuse every call) and one nano-dollar (rounded from half of one) alone', () => {
    const config = load('budgets:\n  - { name: zero, limit_usd: 0 }\n  - { name: nano, limit_usd: 0.0000000005 }\n', {}).config;
    expect(config.budgets.map((b) => b.limit_usd)).toEqual([0, 0.0000000005]);
  });
});

describe('alert_at written in percent', () => {
  it('says the values are fractions of the limit, and how to write one', () => {
    // One line per value over the bound: 100 (over 10 too) is told as the 1 it means.
    expect(errorOf('budgets:\n  - name: b\n    limit_usd: 5\n    alert_at: [80, 100]\n').split('\n')).toEqual([
      'tokometer.yaml:4:16: budgets[0].alert_at[0]: 80 reads as a percentage, but alert_at takes fractions of the limit: write 0.8 for 80% (1 = 100%; at most 10, an alert at 10 times the limit of a soft budget)',
      'tokometer.yaml:4:20: budgets[0].alert_at[1]: 100 reads as a percentage, but alert_at takes fractions of the limit: write 1 for 100% (1 = 100%; at most 10, an alert at 10 times the limit of a soft budget)',
    ]);
  });
});

describe('unknown sections named as other tools name them', () => {
  it('suggests the real key by meaning, not only by spelling', () => {
    expect(errorOf('server:\n  port: 8080\n')).toMatch(/^tokometer\.yaml:1:1: server: unknown key "server"; did you mean "listen"\? \(allowed: listen, /);
    expect(errorOf('unit_economics:\n  price_per_user: { pro: 29 }\n')).toMatch(/^tokometer\.yaml:1:1: unit_economics: unknown key "unit_economics"; did you mean "economics"\? /);
    expect(errorOf('database: ./x.db\n')).toMatch(/^tokometer\.yaml:1:1: database: unknown key "database"; did you mean "db"\? /);
    expect(errorOf('budgets:\n  - name: b\n    limit: 5\n')).toContain('budgets[0].limit: unknown key "limit"; did you mean "limit_usd"?');
  });

  it('still suggests by spelling, and nothing for a key that means nothing here', () => {
    expect(errorOf('listen:\n  hots: 0.0.0.0\n')).toContain('unknown key "hots"; did you mean "host"?');
    expect(errorOf('verbose: true\n')).toMatch(/unknown key "verbose" \(allowed: /);
    // A shared word names one key (retention_days); two keys share "timeout", so neither is guessed.
    expect(errorOf('retention: 90\n')).toContain('unknown key "retention"; did you mean "retention_days"?');
    expect(errorOf('limits:\n  timeout_ms: 5\n')).toMatch(/unknown key "timeout_ms" \(allowed: /);
    // camelCase read as snake_case.
    expect(errorOf('providers:\n  openai:\n    baseURL: http://x\n')).toContain('unknown key "baseURL"; did you mean "base_url"?');
  });
});
