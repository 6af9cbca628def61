import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/lib/errors.js';
import { configCheck } from './config-cli.js';
import { loadYaml } from './config-files.js';
import { thrownBy } from './thrown.js';

/**
 * A new user's trial: `api_key: 12345678901234567890` (unquoted) gave `must be a string, not
 * the number 12345678901234567000`: the config error printed the secret (rounded). A problem
 * with a secret field (a provider's api_key or admin_key, admin.token, alerts.webhook_url, an
 * OpenTelemetry export header) never shows its value: `must be a string (quote it)`.
 */

const SECRET = '12345678901234567890';
/** What zod and String() would print of it as a number. */
const ROUNDED = String(Number(SECRET));

const cases: [field: string, yaml: string][] = [
  ['providers.openai.api_key', `providers:\n  openai: { api_key: ${SECRET} }\n`],
  ['providers.openai.admin_key', `providers:\n  openai: { admin_key: ${SECRET} }\n`],
  ['admin.token', `admin: { token: ${SECRET} }\n`],
  ['telemetry.headers.authorization', `telemetry: { headers: { authorization: ${SECRET} } }\n`],
];

describe('a secret field holding a number', () => {
  for (const [field, yaml] of cases) {
    it(`${field}: says to quote it, without the value`, () => {
      const error = thrownBy(() => loadYaml(yaml), ConfigError);
      expect(error.message).toMatch(new RegExp(`^tokometer\\.yaml:\\d+:\\d+: ${field.replace(/\./g, '\\.')}: must be a string \\(quote it\\)$`));
      expect(error.message).not.toContain(ROUNDED.slice(0, 8));
    });
  }

  it('a number a variable gives (an unquoted ${VAR}) is not shown either', () => {
    const error = thrownBy(() => loadYaml('providers:\n  openai:\n    api_key: ${OPENAI_API_KEY}\n', { OPENAI_API_KEY: SECRET }), ConfigError);
    expect(error.message).toContain('providers.openai.api_key: must be a string (quote it)');
    expect(error.message).not.toContain(ROUNDED.slice(0, 8));
  });

  it('alerts.webhook_url and other non-string values (true, a list) show no value either', () => {
    for (const yaml of [`alerts: { webhook_url: ${SECRET} }\n`, 'providers:\n  openai: { api_key: [sk-proj-abcdef] }\n', 'admin: { token: { sk-proj-abcdef: 1 } }\n']) {
      const error = thrownBy(() => loadYaml(yaml), ConfigError);
      expect(error.message).not.toContain(ROUNDED.slice(0, 8));
      expect(error.message).not.toContain('abcdef');
    }
  });

  it('config check lists it the same way', async () => {
    const r = await configCheck(`providers:\n  openai: { api_key: ${SECRET} }\n`);
    expect(r.err + r.out).toContain('providers.openai.api_key: must be a string (quote it)');
    expect(r.err + r.out).not.toContain(ROUNDED.slice(0, 8));
    expect(r.code).toBe(2);
  });

  it('a field that is not secret still shows the value it got', () => {
    const error = thrownBy(() => loadYaml('timezone: 12\n'), ConfigError);
    expect(error.message).toContain('timezone: must be a string, not the number 12');
  });
});
