import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { servePlan } from '../../src/cli/serve.js';

/**
 * serve logs at start what `config check` warns about in a config it accepts, so an operator
 * who never runs config check still sees it: a custom provider named like a typo of a
 * built-in one (`opneai`), and an alert fraction a hard budget never reaches. Before, serve
 * logged only the `prices:` warnings.
 */
const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-serve-warnings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("serve's start warnings", () => {
  it("are config check's: the provider-name typo and the unreachable alert", () => {
    const config = path.join(dir, 'tokometer.yaml');
    writeFileSync(
      config,
      [
        'providers:',
        '  opneai: { base_url: "http://127.0.0.1:9/v1", api_key: "sk-x" }',
        'keys:',
        '  app: { budget: { limit_usd: 5, period: day, alert_at: [0.5, 1.5] } }',
        '',
      ].join('\n'),
    );
    const plan = servePlan({ env: {}, cwd: dir, invokedAs: 'tokometer' }, { config, db: path.join(dir, 'a.db') });
    expect(plan.configWarnings.some((w) => w.startsWith('providers.opneai: not a built-in provider; did you mean "openai"?'))).toBe(true);
    expect(plan.configWarnings.some((w) => w.startsWith('keys.app.budget.alert_at') && w.includes('150%'))).toBe(true);
  });

  it('say nothing of a short custom name two edits from a built-in one (az is not a typo of xai)', () => {
    const config = path.join(dir, 'short.yaml');
    writeFileSync(config, 'providers:\n  az: { base_url: "http://127.0.0.1:9/v1", api_key: "sk-x" }\n');
    const plan = servePlan({ env: {}, cwd: dir, invokedAs: 'tokometer' }, { config, db: path.join(dir, 'b.db') });
    expect(plan.configWarnings.filter((w) => w.startsWith('providers.az'))).toEqual([]);
  });
});
