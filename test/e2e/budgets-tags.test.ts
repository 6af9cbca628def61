import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, chatReply } from '../budget/support.js';
import { UPSTREAM_KEY, startHarness, type Harness } from '../support/proxy-harness.js';

// Each call below costs at most ~$0.00025 and is estimated at ~$0.00025 (max_tokens 400), so
// a user or feature hits its $0.0004 cap long before its tenant hits $0.0008.
const yaml = (url: string) => `
providers:
  openai: { base_url: "${url}", api_key: "${UPSTREAM_KEY}" }
store: { flush_interval_ms: 5 }
budgets:
  - { name: free-daily, match: { user_tier: free }, per: user_id, limit_usd: 0.0004, period: day }
  - { name: summarizer-monthly, match: { feature: summarizer }, limit_usd: 0.0004, period: month }
  - { name: per-tenant, per: tenant_id, limit_usd: 0.0008, period: month }
`;

describe('tag budgets through the proxy', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ upstream: { reply: chatReply }, configYaml: yaml });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Calls until refused (at most 20); returns how many were admitted and the refusal. */
  async function exhaust(secret: string, tags: Record<string, string>) {
    for (let i = 0; i < 20; i++) {
      const r = await chat(h.baseUrl(), secret, { tags, maxTokens: 400, content: `q${i}` });
      if (r.status !== 200) return { admitted: i, refusal: r };
    }
    throw new Error('never refused');
  }

  it('a per-user budget blocks only that user, naming the user and its reset', async () => {
    const { admitted, refusal } = await exhaust(h.secret, { user_tier: 'free', user_id: 'u1', tenant_id: 'ta' });
    expect(admitted).toBeGreaterThan(0);
    expect(refusal.status).toBe(429);
    expect(refusal.json.error).toMatchObject({ code: 'budget_exceeded', budget: { name: 'free-daily', per: 'user_id', tag_value: 'u1', period: 'day' } });
    expect(refusal.json.error.reset_at).toMatch(/T00:00:00Z$/);
    expect(refusal.headers.get('x-should-retry')).toBe('false');
    // Another free user, and u1 as a paid user (the budget matches free calls only), still pass.
    expect((await chat(h.baseUrl(), h.secret, { tags: { user_tier: 'free', user_id: 'u2', tenant_id: 'tb' }, maxTokens: 400 })).status).toBe(200);
    expect((await chat(h.baseUrl(), h.secret, { tags: { user_tier: 'pro', user_id: 'u1', tenant_id: 'tc' }, maxTokens: 400 })).status).toBe(200);
  });

  it('a match budget blocks only matching calls', async () => {
    const { refusal } = await exhaust(h.secret, { feature: 'summarizer', tenant_id: 'td' });
    expect(refusal.json.error.budget).toMatchObject({ name: 'summarizer-monthly', period: 'month' });
    expect((await chat(h.baseUrl(), h.secret, { tags: { feature: 'chatbot', tenant_id: 'te' }, maxTokens: 400 })).status).toBe(200);
    expect((await chat(h.baseUrl(), h.secret, { tags: { tenant_id: 'tf' }, maxTokens: 400 })).status).toBe(200);
  });

  it("a key's fixed tags cannot be spoofed through the header", async () => {
    const tenantKey = await h.createKey('tenant-g', { tenant_id: 'tg' });
    const { refusal } = await exhaust(tenantKey, {});
    expect(refusal.json.error.budget).toMatchObject({ name: 'per-tenant', tag_value: 'tg' });
    // Claiming another tenant in the header changes nothing: the call is still tg's, and refused.
    const spoof = await chat(h.baseUrl(), tenantKey, { tags: { tenant_id: 'th' }, maxTokens: 400 });
    expect(spoof.status).toBe(429);
    expect(spoof.json.error.budget).toMatchObject({ name: 'per-tenant', tag_value: 'tg' });
    const rows = h.rows().filter((r) => r.key_name === 'tenant-g');
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.every((r) => r.tags.tenant_id === 'tg')).toBe(true);
    // The header's tenant th was not charged: it still has its whole budget.
    const th = h.proxy.budgets!.snapshot().find((s) => s.name === 'per-tenant' && s.tagValue === 'th');
    expect(th?.spentNano ?? 0).toBe(0);
  });

  it('lists every instance with spend, limit and reset_at', () => {
    const states = h.proxy.budgets!.snapshot();
    const u1 = states.find((s) => s.name === 'free-daily' && s.tagValue === 'u1')!;
    expect(u1.blocked).toBe(true);
    expect(u1.spentNano).toBeGreaterThanOrEqual(u1.limitNano);
    expect(states.find((s) => s.name === 'free-daily' && s.tagValue === 'u2')!.blocked).toBe(false);
  });
});
