import { describe, expect, it } from 'vitest';
import type { AdminDeps } from '../../src/admin/deps.js';
import { AdminError } from '../../src/admin/http.js';
import { createKey } from '../../src/admin/keys-routes.js';
import { configCheck } from '../config/config-cli.js';

/**
 * A number too large for a double (`limit_usd: 1e400`, read as Infinity by YAML and by
 * JSON.parse) is refused as not finite, not as "not a number" (found by a new-user trial:
 * "must be a number, not the number Infinity").
 */
describe('a number that is not finite', () => {
  it('config check says the field must be a finite number', async () => {
    const { code, err } = await configCheck('keys:\n  a: { budget: { limit_usd: 1e400 } }\n');
    expect(code).toBe(2);
    expect(err).toContain('tokometer.yaml:2:29: keys.a.budget.limit_usd: must be a finite number, not Infinity');
    expect(err).not.toContain('must be a number, not');
  });

  it('config check words YAML .nan the same way', async () => {
    const { err } = await configCheck('budgets:\n  - { name: b, limit_usd: .nan }\n');
    expect(err).toContain('budgets[0].limit_usd: must be a finite number, not NaN');
  });

  it('the admin API says the same for a JSON 1e400', async () => {
    const body = JSON.parse('{"name":"a","budget":{"limit_usd":1e400}}') as unknown;
    const error = await createKey({} as AdminDeps, body).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AdminError);
    expect((error as AdminError).message).toBe('Invalid request body: budget.limit_usd must be a finite number, not Infinity.');
  });
});
