import { describe, expect, it } from 'vitest';
import { resetBudget } from '../../src/admin/budgets-routes.js';
import type { AdminDeps } from '../../src/admin/deps.js';
import { AdminError } from '../../src/admin/http.js';
import { createKey, patchKey } from '../../src/admin/keys-routes.js';

/**
 * The admin API's 400 for a body its schema refuses says, per field, what the field must be
 * and what it got, in the tool's words (not zod's "Too small: expected number to be >=0").
 * The bodies are refused before anything is read, so the routes get no dependencies.
 */
const deps = {} as AdminDeps;

async function refusal(run: Promise<unknown>): Promise<string> {
  const error = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AdminError);
  expect((error as AdminError).status).toBe(400);
  expect((error as AdminError).code).toBe('invalid_body');
  return (error as AdminError).message;
}

describe('admin API body messages', () => {
  it('a number out of bounds names the bound and the value', async () => {
    expect(await refusal(createKey(deps, { name: 'a', budget: { limit_usd: -1 } }))).toBe('Invalid request body: budget.limit_usd must be 0 or more (got -1).');
    expect(await refusal(patchKey(deps, 'a', { budget: { alert_at: [0, 0.5] } }))).toBe('Invalid request body: budget.alert_at.0 must be more than 0 (got 0).');
  });

  it('a value of the wrong type names the type wanted and the value sent', async () => {
    expect(await refusal(createKey(deps, { name: 'a', budget: { limit_usd: '5' } }))).toBe('Invalid request body: budget.limit_usd must be a number, not the string "5".');
    expect(await refusal(patchKey(deps, 'a', { budget: { soft: 'yes' } }))).toBe('Invalid request body: budget.soft must be true or false, not the string "yes".');
    expect(await refusal(patchKey(deps, 'a', { models: 'gpt-4o' }))).toBe('Invalid request body: models must be an array, not the string "gpt-4o".');
    expect(await refusal(patchKey(deps, 'a', { budget: 5 }))).toBe('Invalid request body: budget must be an object, not the number 5.');
    expect(await refusal(resetBudget(deps, 'b', { tag_value: 7 }))).toBe('Invalid request body: tag_value must be a string, not the number 7.');
  });

  it('alert_at written in percent and a limit below one nano-dollar are told as the config tells them', async () => {
    expect(await refusal(patchKey(deps, 'a', { budget: { alert_at: [0.5, 80] } }))).toBe(
      'Invalid request body: budget.alert_at.1: 80 reads as a percentage, but alert_at takes fractions of the limit: write 0.8 for 80% (1 = 100%; at most 10, an alert at 10 times the limit of a soft budget).',
    );
    expect(await refusal(createKey(deps, { name: 'a', budget: { limit_usd: 0.0000000001 } }))).toBe(
      'Invalid request body: budget.limit_usd: 0.0000000001 is below one nano-dollar ($0.000000001); use 0 for a cap that refuses every call.',
    );
  });

  it('a missing field says it is required', async () => {
    expect(await refusal(createKey(deps, {}))).toBe('Invalid request body: name is required (a string).');
  });

  it('a value of none of the allowed types, an unknown option, an unknown field and a bad tag key are worded too', async () => {
    expect(await refusal(createKey(deps, { name: 'a', tags: { tier: null } }))).toBe('Invalid request body: tags.tier must be a string, a number or a boolean, not null.');
    expect(await refusal(createKey(deps, { name: 'a', budget: { limit_usd: 1, period: 'weekly' } }))).toBe('Invalid request body: budget.period must be one of day, week, month, total (got "weekly").');
    expect(await refusal(createKey(deps, { name: 'a', limit_usd: 1 }))).toBe('Invalid request body: unknown field "limit_usd".');
    expect(await refusal(patchKey(deps, 'a', { budget: { limit: 1 } }))).toBe('Invalid request body: budget: unknown field "limit".');
    expect(await refusal(createKey(deps, { name: 'a', tags: { 'has space': 'x' } }))).toBe('Invalid request body: tags.has space: invalid tag key (allowed: letters, digits, _ . : -, 1-64 chars).');
  });

  it('keeps a field\'s own message', async () => {
    expect(await refusal(createKey(deps, { name: 'no spaces' }))).toBe('Invalid request body: name: use letters, digits, _ . : - (1-64 characters).');
  });
});
