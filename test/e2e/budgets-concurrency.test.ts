import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatReply } from '../budget/support.js';
import { startHarness, waitFor, type Harness } from '../support/proxy-harness.js';

const CALLS = 200;
const LIMIT_NANO = 3_000_000; // $0.003: room for a few dozen of these calls
const USD = 1e9;

describe('200 concurrent OpenAI SDK calls against a key with a small cap', () => {
  let h: Harness;
  let outcomes: Array<{ ok: true } | { ok: false; error: unknown }>;

  beforeAll(async () => {
    h = await startHarness({ upstream: { reply: chatReply } });
    await h.proxy.store.keys.update('test-key', { budget: { limitNano: LIMIT_NANO, period: 'month', alertAt: [], soft: false } });
    await h.proxy.keys.reload();
    // maxRetries is left at the SDK default (2): a budget 429 must not be retried anyway.
    const client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl() });
    outcomes = await Promise.all(
      Array.from({ length: CALLS }, async (_, i) => {
        const content = `call ${i} `.padEnd(40 + ((i * 37) % 400), 'x');
        const max_tokens = i % 3 === 0 ? undefined : 50 + ((i * 13) % 300);
        try {
          if (i % 2 === 0) {
            await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], ...(max_tokens ? { max_tokens } : {}) });
          } else {
            const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content }], ...(max_tokens ? { max_tokens } : {}) });
            for await (const _chunk of stream) void _chunk;
          }
          return { ok: true as const };
        } catch (error) {
          return { ok: false as const, error };
        }
      }),
    );
    await waitFor(() => h.records.length >= CALLS, 10_000, 'all records');
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it('recorded spend stays within the limit plus the largest single call', () => {
    const priced = h.rows().filter((r) => r.outcome === 'ok');
    const costs = priced.map((r) => Number(r.cost_nano));
    const total = costs.reduce((a, b) => a + b, 0);
    const largest = Math.max(...costs);
    expect(total).toBeLessThanOrEqual(LIMIT_NANO + largest);
    // The cap was really used, not refused wholesale.
    expect(total).toBeGreaterThan(LIMIT_NANO / 2);
    const state = h.proxy.budgets!.snapshot().find((s) => s.name === 'test-key')!;
    expect(state.spentNano).toBe(total);
    expect(state.reservedNano).toBe(0);
    expect(state.inFlight).toBe(0);
  });

  it('refused calls got a 429 with reset_at that the SDK raised as RateLimitError without retrying', () => {
    const allowed = outcomes.filter((o) => o.ok).length;
    const refused = outcomes.filter((o): o is { ok: false; error: unknown } => !o.ok);
    expect(allowed).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    expect(allowed + refused.length).toBe(CALLS);
    for (const { error } of refused) {
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      const e = error as InstanceType<typeof OpenAI.RateLimitError>;
      expect(e.status).toBe(429);
      expect(e.headers?.get('x-should-retry')).toBe('false');
      expect(Number(e.headers?.get('retry-after'))).toBeGreaterThan(0);
      const body = e.error as { code?: string; reset_at?: string; budget?: { name: string; limit_usd: number } };
      expect(body.code).toBe('budget_exceeded');
      expect(body.reset_at).toMatch(/^\d{4}-\d{2}-01T00:00:00Z$/);
      expect(body.budget).toMatchObject({ name: 'test-key', limit_usd: LIMIT_NANO / USD });
    }
    // Exactly one request per SDK call reached the proxy (no retries), and only admitted calls reached the provider.
    expect(h.records.length).toBe(CALLS);
    expect(h.records.filter((r) => r.outcome === 'refused' && r.status === 429).length).toBe(refused.length);
    expect(h.fake.requests.length).toBe(allowed);
    expect(h.fake.problems).toEqual([]);
  });
});
