import { beforeAll, describe, expect, it } from 'vitest';
import { proxySuite } from '../budget/proxy-suite.js';
import { chat, type BudgetProxy } from '../budget/support.js';

const TOKEN = 'admin-secret-token-0123456789';

/**
 * `limit_usd` past ~1.8e299 becomes Infinity nano-USD (usdToNano), which the key row's
 * JSON stores as null and reads back as a $0 limit: the admin API answers 201 and the key
 * is then refused on every call ("$0.00 of n/a used"). Bad input gets a clear 400, or
 * the limit it asked for.
 */
describe('admin API: a budget limit too large to hold', () => {
  const suite = proxySuite();
  let p: BudgetProxy;
  beforeAll(async () => {
    p = await suite.start({ yaml: `admin: { token: "${TOKEN}" }\n` });
  });

  it('is refused with 400 naming limit_usd, never stored as a $0 limit that blocks the key', async () => {
    const res = await fetch(`${p.proxy.url}/admin/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'unlimited', budget: { limit_usd: 1e300 } }),
    });
    const json = (await res.json()) as { secret?: string; key?: { budget: { limit_usd: number } }; error?: { message: string } };
    if (res.status === 201) {
      expect(json.key?.budget.limit_usd, 'the stored limit').toBeGreaterThan(0);
      expect((await chat(p.baseUrl, json.secret!, { maxTokens: 10 })).status, 'a call of the new key').toBe(200);
    } else {
      expect(res.status).toBe(400);
      expect(json.error?.message).toMatch(/limit_usd/);
    }
  });
});
