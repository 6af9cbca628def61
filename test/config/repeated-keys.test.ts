import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { ConfigError } from '../../src/lib/errors.js';
import { thrownBy } from './thrown.js';

/**
 * The config's YAML refuses a key written twice in one mapping (the yaml library reports
 * DUPLICATE_KEY; config/load.ts names the line and the field), where a JSON reader keeps the
 * last value: a key budget's limit or a key tag set twice cannot silently take the second
 * value, in block or flow style. Checked here beside the header's and the admin API's refusals
 * (test/proxy/tags-repeated-keys.test.ts, test/admin/repeated-fields.test.ts).
 */
const errorOf = (text: string) => thrownBy(() => parseConfigText(text, { file: 'tokometer.yaml', env: {} }), ConfigError).message;
const DUPLICATE = 'duplicate key (each key may appear once in a mapping)';

describe('config: a key written twice', () => {
  it('a budget limit twice, flow or block style, names the line and the field', () => {
    expect(errorOf('keys:\n  app: { budget: { limit_usd: 500, limit_usd: 5 } }\n')).toBe(`tokometer.yaml:2:36: keys.app.budget.limit_usd: ${DUPLICATE}`);
    expect(errorOf('budgets:\n  - name: free-daily\n    limit_usd: 0.5\n    period: day\n    limit_usd: 50\n')).toBe(`tokometer.yaml:5:5: budgets[0].limit_usd: ${DUPLICATE}`);
  });

  it("a key's tag and a budget's match twice", () => {
    expect(errorOf('keys:\n  app: { tags: { tenant_id: t_1, tenant_id: t_2 } }\n')).toBe(`tokometer.yaml:2:34: keys.app.tags.tenant_id: ${DUPLICATE}`);
    expect(errorOf('budgets:\n  - { name: b, limit_usd: 1, match: { user_tier: free, user_tier: pro } }\n')).toMatch(/^tokometer\.yaml:2:\d+: budgets\[0\]\.match\.user_tier: duplicate key/);
  });
});
