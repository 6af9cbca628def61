import { beforeAll, describe, expect, it } from 'vitest';
import { proxySuite } from '../budget/proxy-suite.js';
import { chat, addKey, type BudgetProxy } from '../budget/support.js';

/** The proxy on an injected clock in Asia/Tokyo (UTC+9): days end at 15:00Z. */
describe('budget periods through the proxy in a non-UTC zone', () => {
  const suite = proxySuite();
  let t = Date.parse('2026-11-20T14:00:00Z'); // 23:00 in Tokyo
  const clock = () => t;
  let p: BudgetProxy | null = null;
  let secret = '';
  const yaml = `timezone: Asia/Tokyo\nbudgets:\n  - { name: daily-all, limit_usd: 0.0003, period: day }\n`;
  const start = async () => (p = await suite.start({ yaml, overrides: { clock } }));

  beforeAll(async () => {
    await start();
    secret = await addKey(p!.proxy, 'app');
  });

  it('refuses until local midnight, names it as reset_at, and admits again from then on', async () => {
    let refusal;
    for (let i = 0; i < 20 && !refusal; i++) {
      const r = await chat(p!.baseUrl, secret, { maxTokens: 300, content: `q${i}` });
      if (r.status === 429) refusal = r;
    }
    expect(refusal!.json.error.reset_at).toBe('2026-11-20T15:00:00Z');
    expect(refusal!.headers.get('retry-after')).toBe('3600');
    t = Date.parse('2026-11-20T14:59:59.999Z');
    expect((await chat(p!.baseUrl, secret, { maxTokens: 300 })).status).toBe(429);
    t = Date.parse('2026-11-20T15:00:00Z');
    expect((await chat(p!.baseUrl, secret, { maxTokens: 300 })).status).toBe(200);
  });

  it('after a restart only the calls of the current local day count', async () => {
    const today = p!.proxy.budgets!.snapshot()[0]!;
    expect(today.periodStart).toBe(Date.parse('2026-11-20T15:00:00Z'));
    await p!.stop();
    await start();
    const seeded = p!.proxy.budgets!.snapshot()[0]!;
    expect(seeded.spentNano).toBe(today.spentNano);
    const yesterday = Number(p!.driver.prepare('SELECT sum(cost_nano) AS s FROM calls WHERE ts < ?').get<{ s: number }>(Date.parse('2026-11-20T15:00:00Z'))!.s);
    expect(yesterday).toBeGreaterThan(0);
    expect(seeded.spentNano).toBeLessThan(yesterday);
  });
});
